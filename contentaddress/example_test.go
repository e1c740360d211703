package contentaddress_test

import (
	"fmt"

	"github.com/nixwire/nixwire/contentaddress"
)

// The "ca" field of a path added with `nix-store --add`, taken apart and
// printed again; the method AddToStore would send for it.
func Example() {
	ca, err := contentaddress.Parse("fixed:r:sha256:1hplqns5w74iaq4ml938h1qy7f7rlr8jd7krwhf5i4w99dc98gba")
	if err != nil {
		panic(err)
	}
	fmt.Println(ca.Method, ca.Hash.Algorithm(), ca.Hash.Base16())
	fmt.Println(ca)
	fmt.Println(contentaddress.FormatMethod(ca.Method, ca.Hash.Algorithm()))
	// Output:
	// nar sha256 6a3d94584b8993581ce4799e2651a6f9b8e3718068245a0956911c5eb4c5f4c2
	// fixed:r:sha256:1hplqns5w74iaq4ml938h1qy7f7rlr8jd7krwhf5i4w99dc98gba
	// fixed:r:sha256
}
