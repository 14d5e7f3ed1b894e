/**
 * execArgv for piscina worker threads. Node 20.19+ lets require() load ES modules, and piscina tries
 * require() on a worker file before import(); that path (ModuleWrap::CreateRequiredModuleFacade)
 * aborted the whole process now and then under load in CI ("Assertion failed:
 * facade->InstantiateModule"). With require(esm) off in the workers, piscina's require() fails
 * cleanly with ERR_REQUIRE_ESM and it falls back to import(), the stable loader.
 */
export const WORKER_EXEC_ARGV: readonly string[] = [...process.execArgv, '--no-experimental-require-module'];
