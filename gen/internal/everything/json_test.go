package everything_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/gen/internal/everything"
)

// TestJSONRoundTrip marshals populated values of every message at every
// protocol of protos to JSON and back: the value comes back equal (nil
// and empty alike, as JSON's null and [] are), encodes to the same wire
// bytes, and String is the same one line of JSON.
func TestJSONRoundTrip(t *testing.T) {
	for _, d := range messageDecls(t) {
		t.Run(d.DeclName(), func(t *testing.T) {
			for _, p := range protos {
				for i := range 4 {
					seed := *seedFlag + uint64(i)
					where := d.DeclName() + " at " + p.String() + " seed " + strconv.FormatUint(seed, 10)
					v := populated(t, d, p, seed, true)
					b, err := json.Marshal(v)
					if err != nil {
						t.Fatalf("%s: Marshal: %v", where, err)
					}
					got := newMessage(t, d)
					if err := json.Unmarshal(b, got); err != nil {
						t.Fatalf("%s: Unmarshal: %v\n%s", where, err, b)
					}
					if diff := cmp.Diff(v, got, cmpOpts...); diff != "" {
						t.Fatalf("%s: JSON round trip: (-want +got)\n%s\n%s", where, diff, b)
					}
					if want, again := encode(t, v, p), encode(t, got, p); !bytes.Equal(want, again) {
						t.Fatalf("%s: the value from JSON encodes differently:\n%x\n%x", where, want, again)
					}
					if s, ok := v.(fmt.Stringer); ok {
						if str := s.String(); strings.ContainsRune(str, '\n') {
							t.Errorf("%s: String has several lines: %s", where, str)
						}
					}
				}
			}
		})
	}
}

// The JSON forms: enums by name (a number when unknown), unions as one
// member named by the variant, bytes as base64, u64 exact.
func TestJSONForms(t *testing.T) {
	c := everything.Collections{Actions: []everything.Action{&everything.ActionNew{Level: everything.LevelWarn}, nil}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"Actions":[{"ActionNew":{"Level":"Warn"}},null]`) {
		t.Errorf("unions and enums: %s", b)
	}
	if got := c.String(); got != string(b) {
		t.Errorf("String() = %s, want the JSON %s", got, b)
	}
	var back everything.Collections
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if a, ok := back.Actions[0].(*everything.ActionNew); !ok || a.Level != everything.LevelWarn || back.Actions[1] != nil {
		t.Errorf("decoded %#v", back.Actions)
	}
	if err := json.Unmarshal([]byte(`{"Actions":[{"NoSuch":{}}]}`), &back); err == nil || !strings.Contains(err.Error(), `unknown variant "NoSuch"`) {
		t.Errorf("unknown variant: %v", err)
	}
	var l everything.Level
	if err := l.UnmarshalText([]byte("Warn")); err != nil || l != everything.LevelWarn {
		t.Errorf("UnmarshalText(Warn) = %v, %v", l, err)
	}
	if b, _ := everything.Level(999).MarshalText(); string(b) != "999" {
		t.Errorf("unknown value as %s, want its number", b)
	}
	if err := l.UnmarshalText([]byte("Loud")); err == nil {
		t.Errorf("UnmarshalText(Loud) accepted")
	}
}
