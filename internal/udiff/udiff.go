// Package udiff computes line diffs and formats them as unified diffs, the
// format of `diff -u` and `git diff`. nixwire-gen uses it to show how
// generated files on disk differ from what it would write.
//
// The diff is minimal: it is computed with Myers' O(ND) algorithm in its
// linear-space form ("An O(ND) Difference Algorithm and Its Variations",
// 1986), so memory stays proportional to the input even for large,
// completely different files.
package udiff

import (
	"bytes"
	"fmt"
	"strings"
)

// Op is the kind of an edit.
type Op int8

// The kinds of edits.
const (
	Equal  Op = iota // the line is in both texts
	Delete           // the line is only in the old text
	Insert           // the line is only in the new text
)

// Edit is one line of a diff. Old and New are 0-based line indexes in the
// old and the new text. A Delete has no line in the new text: its New is
// the number of new lines before it (the index of the next one), and an
// Insert's Old is likewise the number of old lines before it.
type Edit struct {
	Op       Op
	Old, New int
}

// Lines splits text into lines, each with its terminating "\n"; the last
// line lacks it when text does not end in a newline.
func Lines(text []byte) []string {
	var lines []string
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			lines = append(lines, string(text))
			break
		}
		lines = append(lines, string(text[:i+1]))
		text = text[i+1:]
	}
	return lines
}

// Diff returns a minimal edit script that turns a into b: one Edit per line
// of a and of b, in order, with equal lines paired.
func Diff(a, b []string) []Edit {
	// Number the distinct lines so that the inner loops compare ints.
	ids := make(map[string]int, len(a)+len(b))
	number := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	d := &differ{a: number(a), b: number(b)}
	d.delA = make([]bool, len(a))
	d.insB = make([]bool, len(b))
	n := len(a) + len(b)
	d.vf = make([]int, n+5)
	d.vb = make([]int, n+5)
	d.compare(0, len(a), 0, len(b))

	edits := make([]Edit, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && d.delA[i]:
			edits = append(edits, Edit{Delete, i, j})
			i++
		case j < len(b) && d.insB[j]:
			edits = append(edits, Edit{Insert, i, j})
			j++
		default:
			edits = append(edits, Edit{Equal, i, j})
			i++
			j++
		}
	}
	return edits
}

// differ holds the state of one Diff: the numbered lines, the marks of
// deleted and inserted lines, and the two diagonal vectors of the middle
// snake search, reused by every step of the recursion.
type differ struct {
	a, b       []int
	delA, insB []bool
	vf, vb     []int
}

// compare marks the lines of a[aLo:aHi] and b[bLo:bHi] that a minimal
// edit script deletes or inserts.
func (d *differ) compare(aLo, aHi, bLo, bHi int) {
	for aLo < aHi && bLo < bHi && d.a[aLo] == d.b[bLo] {
		aLo, bLo = aLo+1, bLo+1
	}
	for aLo < aHi && bLo < bHi && d.a[aHi-1] == d.b[bHi-1] {
		aHi, bHi = aHi-1, bHi-1
	}
	switch {
	case aLo == aHi:
		for j := bLo; j < bHi; j++ {
			d.insB[j] = true
		}
	case bLo == bHi:
		for i := aLo; i < aHi; i++ {
			d.delA[i] = true
		}
	default:
		// Both ranges are non-empty and differ in their first and last
		// lines, so at least two edits are needed and the middle snake
		// contains one: each of the three parts below is smaller than the
		// whole, and the recursion ends.
		x0, y0, x1, y1 := d.middleSnake(aLo, aHi, bLo, bHi)
		d.compare(aLo, x0, bLo, y0)
		d.compare(x0, x1, y0, y1)
		d.compare(x1, aHi, y1, bHi)
	}
}

// middleSnake finds the middle snake of an optimal path from (aLo, bLo)
// to (aHi, bHi) in the edit graph: it runs the greedy search forward from
// the top-left corner and backward from the bottom-right corner, one edit
// at a time, until the two paths overlap. It returns the part of the path
// where they meet, from (x0, y0) to (x1, y1): at most one edit and a run
// of equal lines. x indexes a, y indexes b.
//
// Forward, vf[k] is the furthest x reached on diagonal k = x - y (relative
// to the corner); backward, vb[c] is the smallest y reached on diagonal
// c = k - delta.
func (d *differ) middleSnake(aLo, aHi, bLo, bHi int) (x0, y0, x1, y1 int) {
	w, h := aHi-aLo, bHi-bLo
	delta := w - h
	limit := (w + h + 1) / 2
	off := limit + 1 // vf and vb are indexed from -limit-1 to limit+1
	vf, vb := d.vf[:2*limit+3], d.vb[:2*limit+3]
	vf[off+1] = aLo
	vb[off+1] = bHi
	for e := 0; e <= limit; e++ {
		// Forward search, e edits from the top-left corner.
		for k := e; k >= -e; k -= 2 {
			var px, x int
			if k == -e || (k != e && vf[off+k-1] < vf[off+k+1]) {
				px = vf[off+k+1] // down from diagonal k+1: an insertion
				x = px
			} else {
				px = vf[off+k-1] // right from diagonal k-1: a deletion
				x = px + 1
			}
			y := bLo + (x - aLo) - k
			py := y
			if e > 0 && x == px {
				py = y - 1
			}
			for x < aHi && y < bHi && d.a[x] == d.b[y] {
				x, y = x+1, y+1
			}
			vf[off+k] = x
			if c := k - delta; delta%2 != 0 && c >= -(e-1) && c <= e-1 && y >= vb[off+c] {
				return px, py, x, y
			}
		}
		// Backward search, e edits from the bottom-right corner.
		for c := e; c >= -e; c -= 2 {
			var py, y int
			if c == -e || (c != e && vb[off+c-1] > vb[off+c+1]) {
				py = vb[off+c+1] // left from diagonal c+1: a deletion
				y = py
			} else {
				py = vb[off+c-1] // up from diagonal c-1: an insertion
				y = py - 1
			}
			k := c + delta
			x := aLo + (y - bLo) + k
			px := x
			if e > 0 && y == py {
				px = x + 1
			}
			for x > aLo && y > bLo && d.a[x-1] == d.b[y-1] {
				x, y = x-1, y-1
			}
			vb[off+c] = y
			if delta%2 == 0 && k >= -e && k <= e && x <= vf[off+k] {
				return x, y, px, py
			}
		}
	}
	panic("udiff: no middle snake") // unreachable: the paths meet by e = limit
}

// Unified returns the unified diff that turns old into new, with context
// lines of context around each change (3 is what diff -u uses), under the
// headers "--- oldName" and "+++ newName". It returns nil when old and new
// are equal. A last line without a newline is followed by the line
// `\ No newline at end of file`, as diff and patch expect.
func Unified(oldName, newName string, old, new []byte, context int) []byte {
	if bytes.Equal(old, new) {
		return nil
	}
	a, b := Lines(old), Lines(new)
	edits := Diff(a, b)
	context = max(context, 0)

	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for start := 0; start < len(edits); {
		// Find the next change, then extend the hunk over changes that are
		// at most 2*context equal lines apart.
		for start < len(edits) && edits[start].Op == Equal {
			start++
		}
		if start == len(edits) {
			break
		}
		end := start // one past the last change of the hunk
		for i := start; i < len(edits); i++ {
			if edits[i].Op != Equal {
				end = i + 1
			} else if i-end >= 2*context {
				break
			}
		}
		lo, hi := max(start-context, 0), min(end+context, len(edits))
		writeHunk(&out, a, b, edits[lo:hi])
		start = end
	}
	return []byte(out.String())
}

// writeHunk writes one hunk: its header and its lines.
func writeHunk(out *strings.Builder, a, b []string, hunk []Edit) {
	oldN, newN := 0, 0
	for _, e := range hunk {
		if e.Op != Insert {
			oldN++
		}
		if e.Op != Delete {
			newN++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", rangeSpec(hunk[0].Old, oldN), rangeSpec(hunk[0].New, newN))
	for _, e := range hunk {
		var line string
		switch e.Op {
		case Equal:
			out.WriteByte(' ')
			line = a[e.Old]
		case Delete:
			out.WriteByte('-')
			line = a[e.Old]
		case Insert:
			out.WriteByte('+')
			line = b[e.New]
		}
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// rangeSpec formats a hunk range as diff -u does: "start,count" with a
// 1-based start, "start" alone when count is 1, and "n,0" for an empty
// range, n being the number of lines before it. start0 is the 0-based index
// of the range's first line, which for an empty range is that same n.
func rangeSpec(start0, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start0)
	case 1:
		return fmt.Sprintf("%d", start0+1)
	}
	return fmt.Sprintf("%d,%d", start0+1, n)
}
