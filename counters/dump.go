package counters

import (
	"fmt"
	"io"
)

// WriteDump writes one "kind.counter value" line per counter of m, sorted.
func WriteDump(w io.Writer, kind string, m map[string]uint64) error {
	for _, n := range SortedNames(m) {
		if _, err := fmt.Fprintf(w, "%s.%s %d\n", kind, n, m[n]); err != nil {
			return err
		}
	}
	return nil
}
