// CSV reading for ground-truth files: the one implementation in core/csv.h (RFC 4180, BOM,
// CRLF, quoted fields, line numbers of every row), named here for eval's callers.
#pragma once

#include "faceatlas/core/csv.h"

namespace faceatlas::eval {

using faceatlas::CsvTable;
using faceatlas::parse_csv;
using faceatlas::read_csv;

}  // namespace faceatlas::eval
