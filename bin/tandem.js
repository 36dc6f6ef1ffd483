#!/usr/bin/env node
// Entry point of the `tandem` command. In a clone, Node runs the TypeScript sources directly;
// installed from the registry (under node_modules, where Node does not strip types) it runs
// the compiled JavaScript in dist/.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`tandem needs Node.js 24 or newer; this is Node.js ${process.versions.node}.`);
  process.exit(1);
}
// node:sqlite still announces itself as experimental; the warning says nothing to our users.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning') return;
  emitWarning(warning, ...rest);
};
// `tandem config export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const fromPackage = import.meta.url.includes('/node_modules/');
const entry = fromPackage ? '../dist/src/cli/main.js' : '../src/cli/main.ts';
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
