package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// Lists print --json on one line and single records print indented. Callers already parse
// each form (the tests match on both), so the two stay apart.

func printJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

func printIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable starts a table with its header row. The caller's Flush aligns the tab-separated
// columns and writes what is still buffered, so it must not be skipped.
func newTable(w io.Writer, header string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return tw
}
