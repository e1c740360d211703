package nixhash_test

import (
	"fmt"

	"github.com/nixwire/nixwire/nixhash"
)

// A NAR hash as the worker protocol sends it (bare base16) printed the way
// narinfo files and `nix hash path` show it.
func Example() {
	h, err := nixhash.ParseAny("1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13", nixhash.SHA256)
	if err != nil {
		panic(err)
	}
	fmt.Println(h)
	fmt.Println(h.SRI())
	// Output:
	// sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw
	// sha256-HDfQGvQL4ugGkd48w99EN3ppmvuxfGjwgJZLL9Bx/BM=
}
