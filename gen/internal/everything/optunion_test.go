package everything_test

import (
	"testing"

	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/wire"
)

// An optional union is the union's interface itself: nil is none (tag 0),
// a variant is tag 1 and the union's encoding; it decodes back the same.
func TestOptionalUnionIsTheInterface(t *testing.T) {
	p := wire.P(1, 38)
	var none everything.Optionals
	var some everything.Optionals
	some.TagUnion = &everything.ActionNew{Level: everything.LevelInfo} // compiles only if TagUnion is an Action
	for _, m := range []*everything.Optionals{&none, &some} {
		b, err := wire.Marshal(m, p)
		if err != nil {
			t.Fatal(err)
		}
		var got everything.Optionals
		if err := wire.Unmarshal(b, &got, p); err != nil {
			t.Fatal(err)
		}
		switch {
		case m.TagUnion == nil && got.TagUnion != nil:
			t.Errorf("none decoded as %#v", got.TagUnion)
		case m.TagUnion != nil:
			if a, ok := got.TagUnion.(*everything.ActionNew); !ok || a.Level != everything.LevelInfo {
				t.Errorf("decoded %#v, want the ActionNew", got.TagUnion)
			}
		}
	}
}
