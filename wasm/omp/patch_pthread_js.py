#!/usr/bin/env python3
"""Makes an emscripten 3.1.6 pthreads ES module self-contained and Deno-ready.

Usage: patch_pthread_js.py MODULE.mjs  (MODULE.worker.js must sit next to it;
it is inlined and deleted).

- Deno only runs module workers: every `new Worker(...)` gets `{type: "module"}`.
- The pthread worker script is inlined and started from a blob: URL, and the
  workers import the module factory from a blob: URL made of its source text:
  one file, no read/net permission, works from file:, http(s): and deno compile.
- `terminateAllThreads()` is exported on the module instance: idle pthreads
  keep a Deno process alive until it is called. It first stops the OpenMP pool
  (omp_pause_resource_all, when exported): Deno cannot terminate a worker that
  is inside wasm code, spinning or in Atomics.wait.
- With memory growth, Module.HEAP* become accessors that catch up with growth
  done by other threads.
Fails loudly when a pattern it expects is missing (another emscripten version).
"""
import json
import os
import re
import sys


# Workers import the module glue from a blob: URL built from the factory's own
# source text (the wasm arrives compiled in the "load" message), so loading
# needs no read or net permission and works from file:, http: and compiled binaries.
PTHREAD_MODULE = """
var __pthreadModule;
function __pthreadModuleUrl(){return __pthreadModule||(__pthreadModule=URL.createObjectURL(new Blob(["var _scriptDir=import.meta.url;export default("+FACTORY.toString()+");"],{type:"text/javascript"})));}"""


# With memory growth, a pthread that grows the shared memory leaves the main
# thread's Module.HEAP* views at the old length (emscripten refreshes them only
# inside its own JS helpers): make them accessors that refresh first.
HEAP_VIEWS = """
for(const[k,get]of[["HEAP8",()=>HEAP8],["HEAPU8",()=>HEAPU8],["HEAP16",()=>HEAP16],["HEAPU16",()=>HEAPU16],["HEAP32",()=>HEAP32],["HEAPU32",()=>HEAPU32],["HEAPF32",()=>HEAPF32],["HEAPF64",()=>HEAPF64]]){Object.defineProperty(Module,k,{configurable:true,enumerable:true,get(){if(wasmMemory.buffer!=buffer)updateGlobalBufferAndViews(wasmMemory.buffer);return get()},set(){}})}"""


def replace_once(text: str, old: str, new: str, what: str) -> str:
    count = text.count(old)
    if count != 1:
        sys.exit(f"patch_pthread_js: expected 1 occurrence of {what}, found {count}")
    return text.replace(old, new)


def main() -> None:
    mjs = sys.argv[1]
    base = os.path.basename(mjs)[: -len(".mjs")]
    worker_path = os.path.join(os.path.dirname(mjs), base + ".worker.js")
    with open(worker_path, encoding="utf-8") as f:
        worker = f.read()
    with open(mjs, encoding="utf-8") as f:
        js = f.read()
    worker = replace_once(
        worker, f'import("./{base}.mjs")', 'Promise.reject(new Error("pthread worker: no module URL"))',
        "the worker's relative module import")
    blob = ("URL.createObjectURL(new Blob([" + json.dumps(worker) +
            '],{type:"text/javascript"}))')
    js = replace_once(js, f'new Worker(new URL("{base}.worker.js",import.meta.url))',
                      f'new Worker({blob},{{type:"module"}})', "the default worker creation")
    js = replace_once(js, "new Worker(pthreadMainJs)",
                      'new Worker(pthreadMainJs,{type:"module"})', "the locateFile worker creation")
    js = replace_once(js, '"urlOrBlob":Module["mainScriptUrlOrBlob"]',
                      '"urlOrBlob":Module["mainScriptUrlOrBlob"]||__pthreadModuleUrl()',
                      "the module URL sent to workers")
    ends = re.findall(r"\n  return (\w+)\.ready\n}", js)
    if len(ends) != 1:
        sys.exit(f"patch_pthread_js: expected 1 module factory end, found {len(ends)}")
    js = js.replace(f"\n  return {ends[0]}.ready\n}}",
                    '\nModule["terminateAllThreads"]=()=>{if(Module["_omp_pause_resource_all"]&&Module["_omp_pause_resource_all"](2)!==0)throw new Error("terminateAllThreads: a parallel region is running");PThread.terminateAllThreads()};'
                    f"\n  return {ends[0]}.ready\n}}")
    if "function GROWABLE_HEAP_U8()" in js:
        js = js.replace(f"\n  return {ends[0]}.ready\n}}", HEAP_VIEWS + f"\n  return {ends[0]}.ready\n}}")
    js = replace_once(js, f"\nexport default {ends[0]};",
                      PTHREAD_MODULE.replace("FACTORY", ends[0]) + f"\nexport default {ends[0]};",
                      "the module's default export")
    with open(mjs, "w", encoding="utf-8") as f:
        f.write(js)
    os.remove(worker_path)


if __name__ == "__main__":
    main()
