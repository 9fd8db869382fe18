// Package sqlfiles ships chiso's SQL — migrations, views, data checks and
// example queries — as reviewed files embedded in the binary, so the
// warehouse code never carries SQL it could not show a reviewer.
package sqlfiles

import "embed"

// FS holds schema/ (ordered migrations), views/ (re-created on every open),
// checks/ (data tests that return offending rows) and queries/ (examples).
//
//go:embed schema/*.sql views/*.sql queries/*.sql checks/*.sql review/*.sql
var FS embed.FS
