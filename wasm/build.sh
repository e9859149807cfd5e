#!/usr/bin/env bash
# Reproduces the vendored LightGBM WebAssembly module from the PyPI sdist.
#
#   wasm/build.sh [single|threads]      (default: single)
#
# Requires: Debian's emscripten 3.1.6 (apt install emscripten), Node.js modules of
# Debian in /usr/share/nodejs (emscripten's link step needs acorn), python3 with pip,
# and CMake >= 3.28 (`pip install cmake`; Debian 12 ships 3.25, LightGBM 4.6.0 wants 3.28).
#
# Output (committed): wasm/lightgbm.mjs (variant single) and wasm/SHA256SUMS is updated.
# The sources are never patched: everything is configured through flags.
set -euo pipefail

VARIANT="${1:-${VARIANT:-single}}"
LIGHTGBM_VERSION="4.6.0"
SDIST="lightgbm-${LIGHTGBM_VERSION}.tar.gz"
SDIST_SHA256="cb1c59720eb569389c0ba74d14f52351b573af489f230032a1c9f314f8bab7fe"
EMSCRIPTEN_VERSION="3.1.6"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${BUILD_DIR:-${TMPDIR:-/tmp}/risktrain-lightgbm-build}"
JOBS="${JOBS:-$(nproc)}"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

die() { echo "build.sh: $*" >&2; exit 1; }

# --- toolchain checks ---------------------------------------------------------------
command -v emcc >/dev/null || die "emcc not found: apt install emscripten (${EMSCRIPTEN_VERSION})"
emcc_version="$(emcc --version | sed -n 1p | sed -E 's/.* ([0-9]+\.[0-9]+\.[0-9]+).*/\1/')"
[[ "$emcc_version" == "$EMSCRIPTEN_VERSION" ]] ||
  die "emscripten ${EMSCRIPTEN_VERSION} expected, found: ${emcc_version}"
cmake_version="$(cmake --version | head -n1 | awk '{print $3}')"
[[ "$(printf '3.28\n%s\n' "$cmake_version" | sort -V | head -n1)" == "3.28" ]] ||
  die "CMake >= 3.28 expected, found: ${cmake_version} (pip install cmake)"

# --- source: the PyPI sdist, checksum pinned ----------------------------------------
mkdir -p "$WORK"
if [[ ! -f "$WORK/$SDIST" ]]; then
  # --no-binary lightgbm: the sdist itself; its build tools (cmake, scikit-build-core)
  # may be wheels, else pip compiles CMake from source just to read the metadata.
  pip download "lightgbm==${LIGHTGBM_VERSION}" --no-deps --no-binary lightgbm \
    --only-binary cmake,scikit-build-core -d "$WORK" >&2
fi
echo "${SDIST_SHA256}  ${WORK}/${SDIST}" | sha256sum -c - >&2 ||
  die "checksum mismatch for ${SDIST}"
SRC="$WORK/lightgbm-${LIGHTGBM_VERSION}"
rm -rf "$SRC"
tar -xzf "$WORK/$SDIST" -C "$WORK"

# --- variant flags ------------------------------------------------------------------
# Common compile flags. -ffile-prefix-map keeps build paths out of the artifact
# (LightGBM's CHECK macros embed __FILE__), so the output does not depend on $WORK.
COMPILE_FLAGS="-fwasm-exceptions -msimd128 -ffile-prefix-map=${SRC}=lightgbm-${LIGHTGBM_VERSION}"
LINK_FLAGS=(-O3 -fwasm-exceptions -msimd128)
EXTRA_OBJECTS=()
case "$VARIANT" in
  single)
    CMAKE_OPENMP=(-DUSE_OPENMP=OFF)
    ENVIRONMENT="web"
    OUTPUT="lightgbm.mjs"
    ;;
  threads)
    # One training on several threads: LightGBM's OpenMP code compiled with -fopenmp
    # against wasm/omp (emscripten has no OpenMP runtime; LightGBM's find_package(OpenMP)
    # cannot find one, so USE_OPENMP stays OFF and -fopenmp is passed directly).
    # Every object needs -pthread (shared memory). The pool prewarms one worker per
    # extra core (Module.ompMaxThreads overrides), so threads start synchronously.
    CMAKE_OPENMP=(-DUSE_OPENMP=OFF)
    "$HERE/omp/build.sh" lib "$WORK/omp-runtime"
    COMPILE_FLAGS+=" -pthread -fopenmp -I$HERE/omp/include"
    LINK_FLAGS+=(-pthread
      "-sPTHREAD_POOL_SIZE=Math.max(0,Math.min(64,Module.ompMaxThreads||navigator.hardwareConcurrency||1)-1)")
    EXTRA_OBJECTS=("$WORK/omp-runtime/libomp_wasm.a")
    ENVIRONMENT="web,worker"
    OUTPUT="lightgbm_threads.mjs"
    ;;
  *) die "unknown variant: ${VARIANT} (expected single or threads)" ;;
esac

# --- configure and compile the static library ---------------------------------------
BUILD="$WORK/build-$VARIANT"
rm -rf "$BUILD"
emcmake cmake -S "$SRC" -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=Release \
  "${CMAKE_OPENMP[@]}" -DBUILD_CLI=OFF -DBUILD_STATIC_LIB=ON \
  -DCMAKE_C_FLAGS="$COMPILE_FLAGS" -DCMAKE_CXX_FLAGS="$COMPILE_FLAGS" >&2
cmake --build "$BUILD" --target _lightgbm -j "$JOBS" >&2
LIB="$BUILD/lib_lightgbm.a"
[[ -f "$LIB" ]] || LIB="$SRC/lib_lightgbm.a"
[[ -f "$LIB" ]] || die "lib_lightgbm.a not found after the build"

# --- link ---------------------------------------------------------------------------
# The C API functions the binding calls (src/lightgbm/), plus malloc/free and sbrk (the
# heap-growth test reads the program break).
C_API=(
  LGBM_GetLastError LGBM_DumpParamAliases LGBM_GetSampleCount LGBM_SampleIndices
  LGBM_DatasetCreateFromSampledColumn LGBM_DatasetCreateByReference LGBM_DatasetPushRows
  LGBM_DatasetCreateFromMat LGBM_DatasetGetSubset LGBM_DatasetSetFeatureNames
  LGBM_DatasetGetFeatureNames LGBM_DatasetFree LGBM_DatasetSetField LGBM_DatasetGetField
  LGBM_DatasetGetNumData LGBM_DatasetGetNumFeature LGBM_DatasetGetFeatureNumBin
  LGBM_DatasetUpdateParamChecking
  LGBM_BoosterCreate LGBM_BoosterLoadModelFromString LGBM_BoosterGetLoadedParam
  LGBM_BoosterFree LGBM_BoosterAddValidData LGBM_BoosterResetParameter
  LGBM_BoosterGetNumClasses LGBM_BoosterUpdateOneIter LGBM_BoosterRollbackOneIter
  LGBM_BoosterGetCurrentIteration LGBM_BoosterNumModelPerIteration
  LGBM_BoosterNumberOfTotalModel LGBM_BoosterGetEvalCounts LGBM_BoosterGetEvalNames
  LGBM_BoosterGetFeatureNames LGBM_BoosterGetNumFeature LGBM_BoosterGetEval
  LGBM_BoosterGetNumPredict LGBM_BoosterGetPredict LGBM_BoosterCalcNumPredict
  LGBM_BoosterPredictForMat LGBM_BoosterSaveModelToString LGBM_BoosterDumpModel
  LGBM_BoosterFeatureImportance LGBM_BoosterGetLeafValue
  LGBM_SetMaxThreads LGBM_GetMaxThreads
)
EXPORTS="_malloc,_free,_sbrk"
for f in "${C_API[@]}"; do EXPORTS+=",_$f"; done
[[ "$VARIANT" == threads ]] && EXPORTS+=",_omp_pause_resource_all"
RUNTIME="UTF8ToString,stringToUTF8,lengthBytesUTF8,getValue,setValue"
RUNTIME+=",HEAPU8,HEAP32,HEAPF32,HEAPF64"

emcc "${LINK_FLAGS[@]}" "$LIB" "${EXTRA_OBJECTS[@]}" -o "$BUILD/$OUTPUT" \
  -sMODULARIZE -sEXPORT_ES6 -sEXPORT_NAME=createLightGBM -sENVIRONMENT="$ENVIRONMENT" \
  -sWASM_BIGINT -sALLOW_MEMORY_GROWTH -sMAXIMUM_MEMORY=4GB -sSINGLE_FILE \
  -sEXPORTED_FUNCTIONS="$EXPORTS" -sEXPORTED_RUNTIME_METHODS="$RUNTIME" >&2
# threads: one Deno-ready file (module workers, inlined worker script, terminateAllThreads()).
[[ "$VARIANT" == threads ]] && python3 "$HERE/omp/patch_pthread_js.py" "$BUILD/$OUTPUT"

cp "$BUILD/$OUTPUT" "$HERE/$OUTPUT"
# Licences of what the artifact contains (Eigen's MPL-2.0 text is not in the sdist:
# licenses/LICENSE.eigen-MPL2 is Debian's /usr/share/common-licenses/MPL-2.0).
mkdir -p "$HERE/licenses"
cp "$SRC/LICENSE" "$HERE/licenses/LICENSE"
cp "$SRC/external_libs/fmt/LICENSE" "$HERE/licenses/LICENSE.fmt"
cp "$SRC/external_libs/fast_double_parser/LICENSE" "$HERE/licenses/LICENSE.fast_double_parser"
cp "$SRC/external_libs/fast_double_parser/LICENSE.BSL" \
  "$HERE/licenses/LICENSE.fast_double_parser.BSL"
# --- checksums ----------------------------------------------------------------------
(
  cd "$HERE"
  touch SHA256SUMS
  grep -v "  ${OUTPUT}\$" SHA256SUMS >SHA256SUMS.new || true
  sha256sum "$OUTPUT" >>SHA256SUMS.new
  sort -k2 SHA256SUMS.new >SHA256SUMS
  rm SHA256SUMS.new
)
echo "built wasm/${OUTPUT}: $(sha256sum "$HERE/$OUTPUT" | cut -d' ' -f1)"
