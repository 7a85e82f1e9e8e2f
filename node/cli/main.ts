// The `tessera` command line: `tessera <command> [options]`, `--help` on every command.
// Exit codes: 0 success, 1 the command failed, 2 bad usage.
import { nodeCommand, NODE_HELP } from './commands/node.ts';
import { keysCommand, KEYS_HELP } from './commands/keys.ts';
import { txCommand, TX_HELP } from './commands/tx.ts';
import { queryCommand, QUERY_HELP } from './commands/query.ts';
import { modelCommand, MODEL_HELP } from './commands/model.ts';
import { govCommand, GOV_HELP } from './commands/gov.ts';
import { dataCommand, DATA_HELP } from './commands/data.ts';
import { CliError, describeError, EXIT_FAIL, EXIT_OK, EXIT_USAGE, HelpRequested, stdio, type Io } from './util.ts';

export const MAIN_HELP = `Usage: tessera <command> [options]

A blockchain node whose mining is useful work.

Commands:
  node                 run a full node (JSON-RPC on 127.0.0.1:8545)
  keys new|list|show   manage the encrypted keystore
  tx send              sign and send a transfer
  query head|block|account|tx|attribution
                       read chain data from a node
  gov propose|deposit|vote|list|show
                       token-holder governance: proposals, deposits, votes
  data register|list   register labelled training samples; list the registry
  model export|eval    export a round's checkpoint as safetensors, or print its
                       held-out accuracy

Run "tessera <command> --help" for a command's options.`;

const COMMANDS: Record<string, { run: (argv: string[], io: Io) => Promise<number>; help: string }> = {
  node: { run: nodeCommand, help: NODE_HELP },
  keys: { run: keysCommand, help: KEYS_HELP },
  tx: { run: txCommand, help: TX_HELP },
  query: { run: queryCommand, help: QUERY_HELP },
  model: { run: modelCommand, help: MODEL_HELP },
  gov: { run: govCommand, help: GOV_HELP },
  data: { run: dataCommand, help: DATA_HELP },
};

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    (cmd === undefined ? io.err : io.out)(MAIN_HELP);
    return cmd === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!command) {
    io.err(`tessera: unknown command "${cmd}"\n\n${MAIN_HELP}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.out(e.help);
      return EXIT_OK;
    }
    io.err(`tessera ${cmd}: ${describeError(e)}`);
    return e instanceof CliError ? e.exitCode : EXIT_FAIL;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('node/cli/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tessera: ${describeError(e)}\n`);
      process.exitCode = EXIT_FAIL;
    },
  );
}
