import { Command } from 'commander';

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('si');
  program.parse(argv);
  return 0;
}
