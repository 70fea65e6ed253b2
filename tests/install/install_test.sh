#!/usr/bin/env bash
# install_test.sh CMAKE BUILD_DIR SOURCE_DIR MODEL_DIR VERSION
# Installs the build into a temporary prefix and uses it the way an outside project would: the
# examples (copied out of the source tree) built with find_package(faceatlas), a tiny program
# built with `pkg-config faceatlas`, the installed CLI run without --models.
set -euo pipefail
cmake_bin=$1 build=$2 src=$3 models=$4 version=$5
shopt -s nullglob
samples=("$models"/face-api/demo/sample*.jpg)
if [ ${#samples[@]} -eq 0 ]; then
    echo "SKIP: no sample photos in $models/face-api/demo (run scripts/fetch_models.sh)"
    exit 0
fi
tmp=$(mktemp -d /tmp/faceatlas-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prefix=$tmp/prefix
unset FACEATLAS_MODELS

echo "== cmake --install into $prefix"
"$cmake_bin" --install "$build" --prefix "$prefix" > "$tmp/install.log" \
    || { cat "$tmp/install.log"; fail "cmake --install"; }
for f in bin/faceatlas include/faceatlas/faceatlas.h include/faceatlas/version.h \
         include/faceatlas/pipeline/scanner.h lib/libfaceatlas_core.a lib/libfaceatlas_report.a \
         lib/cmake/faceatlas/faceatlasConfig.cmake lib/cmake/faceatlas/faceatlasTargets.cmake \
         lib/pkgconfig/faceatlas.pc share/man/man1/faceatlas.1; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done
[ ! -e "$prefix/include/faceatlas/train" ] || fail "train headers are not part of the library"
grep -q "FACEATLAS_VERSION_STRING \"$version\"" "$prefix/include/faceatlas/version.h" \
    || fail "installed version.h does not say $version"
[ "$("$prefix/bin/faceatlas" --version)" = "faceatlas $version" ] || fail "installed --version"
if [ -e "$build/tools/faceatlas/faceatlas-train" ]; then
    # Training is its own executable: installed beside faceatlas, which execs it.
    [ "$("$prefix/bin/faceatlas-train" --version)" = "faceatlas-train $version" ] \
        || fail "installed faceatlas-train --version"
    "$prefix/bin/faceatlas" train attributes --help > "$tmp/train_help.txt" 2>&1 \
        || { cat "$tmp/train_help.txt"; fail "installed faceatlas train attributes --help"; }
    grep -q -- "--backbone" "$tmp/train_help.txt" \
        || fail "faceatlas train attributes --help did not reach faceatlas-train"
    echo "installed faceatlas-train $version, reached by faceatlas train"
fi
echo "installed $(find "$prefix" -type f | wc -l) files"

model_arg=$models
if [ -d "$prefix/share/faceatlas/models" ]; then model_arg=$prefix/share/faceatlas/models; fi
mkdir "$tmp/photos"
cp "${samples[@]}" "$tmp/photos/"

echo "== examples/ against the installed package (find_package)"
cp -r "$src/examples" "$tmp/examples"
"$cmake_bin" -S "$tmp/examples" -B "$tmp/examples-build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > "$tmp/configure.log" \
    || { cat "$tmp/configure.log"; fail "configure examples"; }
"$cmake_bin" --build "$tmp/examples-build" -j2 > "$tmp/build.log" \
    || { cat "$tmp/build.log"; fail "build examples"; }
# Nothing of the source or build tree may be on the example's compile or link lines.
if grep -rl -e "$src" "$tmp/examples-build/compile_commands.json" \
        "$tmp/examples-build/CMakeFiles/scan_and_list.dir/link.txt"; then
    fail "the example build refers to the source tree $src"
fi
"$tmp/examples-build/scan_and_list" "$tmp/photos" "$tmp/catalog.db" "$model_arg" | tee "$tmp/out.txt"
grep -q "^scanned ${#samples[@]} files: ${#samples[@]} photos" "$tmp/out.txt" \
    || fail "the example did not scan the ${#samples[@]} photos"
persons=$(grep -cE '^person [0-9]+ .* [0-9]+ faces  (male|female)' "$tmp/out.txt" || true)
[ "$persons" -ge 1 ] || fail "the example printed no persons"
echo "example printed $persons persons"

echo "== pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs faceatlas) || fail "pkg-config --cflags --libs faceatlas"
echo "pkg-config faceatlas: $flags"
[ "$(pkg-config --modversion faceatlas)" = "$version" ] || fail "pkg-config --modversion"
cat > "$tmp/tiny.cpp" <<'CPP'
#include <cstdio>
#include <faceatlas/faceatlas.h>
int main(int, char** argv) {
    auto catalog = faceatlas::catalog::open_sqlite_catalog(argv[1]);
    std::printf("faceatlas %s: %zu persons\n", faceatlas::kVersion,
                faceatlas::summary::summarize_persons(*catalog).size());
}
CPP
# shellcheck disable=SC2086
"${CXX:-c++}" -std=c++20 -O1 "$tmp/tiny.cpp" -o "$tmp/tiny" $flags > "$tmp/tiny.log" 2>&1 \
    || { cat "$tmp/tiny.log"; fail "pkg-config build"; }
"$tmp/tiny" "$tmp/catalog.db" | tee "$tmp/tiny.txt"
grep -q "^faceatlas $version: $persons persons$" "$tmp/tiny.txt" \
    || fail "the pkg-config program did not read the $persons persons"

if [ "$model_arg" != "$models" ]; then
    echo "== the installed CLI finds share/faceatlas/models by itself"
    (cd "$tmp" && "$prefix/bin/faceatlas" analyze "$tmp/photos/$(basename "${samples[0]}")") \
        | tee "$tmp/analyze.txt"
    grep -qE '[0-9]+ faces' "$tmp/analyze.txt" || fail "installed faceatlas analyze"
fi
echo "PASS"
