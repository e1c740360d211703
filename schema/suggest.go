package schema

import (
	"slices"
	"strings"
)

// suggest returns the candidate nearest to word, for a "did you mean"
// hint: the one with the smallest edit distance, if that is small for the
// word's length (at most 1 for names of up to 4 bytes, len/4+1 beyond),
// or a candidate that differs from word only in case, or that ends in
// "."+word (an imported type named without its import). "" if none fits.
func suggest(word string, candidates []string) string {
	best, bestDist := "", len(word)/4+2
	if len(word) <= 4 {
		bestDist = 2
	}
	for _, c := range slices.Sorted(slices.Values(candidates)) { // deterministic among equals
		if c == word {
			continue
		}
		if strings.EqualFold(c, word) || strings.HasSuffix(c, "."+word) {
			return c
		}
		d := editDistance(word, c)
		if d < bestDist || d == bestDist && best != "" && anagram(word, c) && !anagram(word, best) {
			best, bestDist = c, d
		}
	}
	return best
}

// anagram reports whether a and b have the same bytes in another order
// (a swap, "u46" for "u64", beats a substitution among equals).
func anagram(a, b string) bool {
	x, y := []byte(a), []byte(b)
	slices.Sort(x)
	slices.Sort(y)
	return string(x) == string(y)
}

// didYouMean returns `; did you mean "s"?` for a suggestion s, "" for none.
func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return "; did you mean \"" + s + "\"?"
}

// editDistance is the Levenshtein distance of a and b, counting a swap of
// two adjacent bytes as one edit.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// typeWords are the names a type expression may begin with that are not
// declarations.
var typeWords = []string{"u8", "u16", "u32", "u64", "i64", "bool", "string", "bytes", "list", "set", "map", "optional"}
