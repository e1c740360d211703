package udiff

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		desc     string
		old, new string
		context  int
		want     string
	}{
		{desc: "equal", old: "a\nb\n", new: "a\nb\n", context: 3, want: ""},
		{desc: "both empty", old: "", new: "", context: 3, want: ""},
		{
			desc: "from empty", old: "", new: "a\nb\n", context: 3,
			want: "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+a\n+b\n",
		},
		{
			desc: "to empty", old: "a\n", new: "", context: 3,
			want: "--- old\n+++ new\n@@ -1 +0,0 @@\n-a\n",
		},
		{
			desc: "change in the middle", old: "1\n2\n3\n4\n5\n6\n7\n8\n9\n", new: "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", context: 3,
			want: "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
		},
		{
			desc: "insertion with zero context", old: "1\n2\n3\n", new: "1\n2\nx\n3\n", context: 0,
			want: "--- old\n+++ new\n@@ -2,0 +3 @@\n+x\n",
		},
		{
			desc: "deletion with zero context", old: "1\n2\n3\n", new: "1\n3\n", context: 0,
			want: "--- old\n+++ new\n@@ -2 +1,0 @@\n-2\n",
		},
		{
			desc: "two hunks", old: lines(1, 20), new: strings.Replace(strings.Replace(lines(1, 20), "3\n", "c\n", 1), "17\n", "q\n", 1), context: 3,
			want: "--- old\n+++ new\n" +
				"@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+c\n 4\n 5\n 6\n" +
				"@@ -14,7 +14,7 @@\n 14\n 15\n 16\n-17\n+q\n 18\n 19\n 20\n",
		},
		{
			// Changes 2*context lines apart share a hunk.
			desc: "merged hunks", old: lines(1, 12), new: strings.Replace(strings.Replace(lines(1, 12), "3\n", "c\n", 1), "10\n", "j\n", 1), context: 3,
			want: "--- old\n+++ new\n" +
				"@@ -1,12 +1,12 @@\n 1\n 2\n-3\n+c\n 4\n 5\n 6\n 7\n 8\n 9\n-10\n+j\n 11\n 12\n",
		},
		{
			// 2*context+1 equal lines between changes split the hunks.
			desc: "split hunks", old: lines(1, 12), new: strings.Replace(strings.Replace(lines(1, 12), "3\n", "c\n", 1), "11\n", "k\n", 1), context: 3,
			want: "--- old\n+++ new\n" +
				"@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+c\n 4\n 5\n 6\n" +
				"@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+k\n 12\n",
		},
		{
			desc: "no newline at end of old", old: "a\nb", new: "a\nb\n", context: 3,
			want: "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			desc: "no newline at end of both", old: "a\nb", new: "a\nc", context: 3,
			want: "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
		},
		{
			desc: "append at end", old: "a\nb\nc\nd\ne\n", new: "a\nb\nc\nd\ne\nf\n", context: 3,
			want: "--- old\n+++ new\n@@ -3,3 +3,4 @@\n c\n d\n e\n+f\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got := string(Unified("old", "new", []byte(tt.old), []byte(tt.new), tt.context))
			if got != tt.want {
				t.Errorf("Unified:\n%s\nwant:\n%s", got, tt.want)
			}
			if got != "" {
				if patched, err := apply(tt.old, got); err != nil || patched != tt.new {
					t.Errorf("applying the diff: %q, %v; want %q", patched, err, tt.new)
				}
			}
		})
	}
}

// lines returns the lines "lo\n" to "hi\n".
func lines(lo, hi int) string {
	var b strings.Builder
	for i := lo; i <= hi; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.String()
}

// TestRandom checks on random texts that the diff is minimal (its length
// agrees with an LCS computed by dynamic programming) and that applying
// the unified diff to the old text gives the new one.
func TestRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		a := randomLines(r)
		b := randomLines(r)
		if n%3 == 0 { // related texts: b is an edited copy of a
			b = mutate(r, a)
		}
		edits := Diff(a, b)
		changes := 0
		i, j := 0, 0
		for _, e := range edits {
			switch e.Op {
			case Equal:
				if e.Old != i || e.New != j || a[i] != b[j] {
					t.Fatalf("bad equal edit %+v at %d,%d\na=%q\nb=%q", e, i, j, a, b)
				}
				i, j = i+1, j+1
			case Delete:
				if e.Old != i || e.New != j {
					t.Fatalf("bad delete %+v at %d,%d", e, i, j)
				}
				i++
				changes++
			case Insert:
				if e.Old != i || e.New != j {
					t.Fatalf("bad insert %+v at %d,%d", e, i, j)
				}
				j++
				changes++
			}
		}
		if i != len(a) || j != len(b) {
			t.Fatalf("edits cover %d,%d lines of %d,%d", i, j, len(a), len(b))
		}
		if want := len(a) + len(b) - 2*lcs(a, b); changes != want {
			t.Fatalf("diff has %d changes, minimum is %d\na=%q\nb=%q", changes, want, a, b)
		}
		old, new := strings.Join(a, ""), strings.Join(b, "")
		context := r.IntN(4)
		u := string(Unified("a", "b", []byte(old), []byte(new), context))
		if (u == "") != (old == new) {
			t.Fatalf("Unified returned %q for %q, %q", u, old, new)
		}
		if u == "" {
			continue
		}
		got, err := apply(old, u)
		if err != nil || got != new {
			t.Fatalf("applying\n%s\nto %q: got %q, %v; want %q", u, old, got, err, new)
		}
	}
}

func randomLines(r *rand.Rand) []string {
	n := r.IntN(12)
	out := make([]string, n)
	for i := range out {
		out[i] = string(rune('a'+r.IntN(4))) + "\n"
	}
	if n > 0 && r.IntN(4) == 0 {
		out[n-1] = strings.TrimSuffix(out[n-1], "\n")
	}
	return out
}

func mutate(r *rand.Rand, a []string) []string {
	b := append([]string(nil), a...)
	for range r.IntN(4) {
		switch i := r.IntN(len(b) + 1); {
		case r.IntN(2) == 0 || i == len(b):
			b = append(b[:i], append([]string{"new" + strconv.Itoa(i) + "\n"}, b[i:]...)...)
		default:
			b = append(b[:i], b[i+1:]...)
		}
	}
	// Only the last line may lack its newline.
	for i := 0; i+1 < len(b); i++ {
		if !strings.HasSuffix(b[i], "\n") {
			b[i] += "\n"
		}
	}
	return b
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// apply applies a unified diff to old, strictly: every header, count and
// context line must agree.
func apply(old, diff string) (string, error) {
	src := Lines([]byte(old))
	dl := Lines([]byte(diff))
	if len(dl) < 2 || !strings.HasPrefix(dl[0], "--- ") || !strings.HasPrefix(dl[1], "+++ ") {
		return "", fmt.Errorf("bad headers")
	}
	dl = dl[2:]
	var out []string
	next := 0 // next line of src to copy
	for len(dl) > 0 {
		var os, on, ns, nn int
		h := strings.TrimSuffix(dl[0], "\n")
		if _, err := fmt.Sscanf(h, "@@ -%s +%s @@", new(string), new(string)); err != nil {
			return "", fmt.Errorf("bad hunk header %q", h)
		}
		f := strings.Fields(h)
		os, on = parseRange(f[1][1:])
		ns, nn = parseRange(f[2][1:])
		dl = dl[1:]
		start := os - 1 // 0-based first old line
		if on == 0 {
			start = os
		}
		if start < next {
			return "", fmt.Errorf("hunks overlap or go backwards at %q", h)
		}
		out = append(out, src[next:start]...)
		if want := ns - 1; nn > 0 && len(out) != want || nn == 0 && len(out) != ns {
			return "", fmt.Errorf("new start %d does not match %d lines written", ns, len(out))
		}
		next = start
		for on > 0 || nn > 0 {
			if len(dl) == 0 {
				return "", fmt.Errorf("hunk %q too short", h)
			}
			l := dl[0]
			dl = dl[1:]
			text := l[1:]
			if len(dl) > 0 && dl[0] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				dl = dl[1:]
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(src) || src[next] != text {
					return "", fmt.Errorf("line %d does not match %q", next+1, l)
				}
				next++
				on--
				if l[0] == ' ' {
					out = append(out, text)
					nn--
				}
			case '+':
				out = append(out, text)
				nn--
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
		}
		if on != 0 || nn != 0 {
			return "", fmt.Errorf("hunk %q counts do not match", h)
		}
	}
	out = append(out, src[next:]...)
	return strings.Join(out, ""), nil
}

func parseRange(s string) (start, n int) {
	a, b, ok := strings.Cut(s, ",")
	start, _ = strconv.Atoi(a)
	n = 1
	if ok {
		n, _ = strconv.Atoi(b)
	}
	return start, n
}

func TestLines(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a\n"}},
		{"a\n\nb", []string{"a\n", "\n", "b"}},
	} {
		got := Lines([]byte(tt.in))
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("Lines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkDiffLarge(b *testing.B) {
	// Two 5000-line files that share nothing: the worst case for Myers.
	var x, y strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&x, "x%d\n", i)
		fmt.Fprintf(&y, "y%d\n", i)
	}
	old, new := []byte(x.String()), []byte(y.String())
	for b.Loop() {
		Unified("a", "b", old, new, 3)
	}
}
