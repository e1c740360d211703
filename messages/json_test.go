package messages

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// TestJSONRoundTrip marshals random values of every generated message
// (the unions through the messages that hold them) at every version it
// is used at to JSON and back, with the round trip's fillers: the value
// comes back equal (nil and empty alike), encodes to the same wire bytes,
// and String, where the type has it, is one line. JSON strings are
// UTF-8, so values with a string that is not (the fillers make some) are
// left out: encoding/json would replace its bad bytes.
func TestJSONRoundTrip(t *testing.T) {
	types := goTypes()
	checked := 0
	defer func() {
		if checked < 100 {
			t.Errorf("only %d values checked", checked)
		}
	}()
	for _, e := range allRoundTripTypes(t) {
		if e.union != nil {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			ref := &schema.Type{Kind: schema.Ref, Name: e.name, Decl: e.decl}
			for _, p := range e.protos() {
				for i := range 3 {
					seed := seedFor(e.name, p, i)
					g := &filler{rng: rand.New(rand.NewPCG(seed, 1)), p: p, minimal: i == 0, types: types}
					orig, ov := e.newValue()
					g.fill(ov, ref)
					if !validUTF8(ov) {
						continue
					}
					checked++
					where := fmt.Sprintf("%s at %v (seed %#x)", e.name, p, seed)
					b, err := json.Marshal(orig)
					if err != nil {
						t.Fatalf("%s: Marshal: %v", where, err)
					}
					got := reflect.New(e.goType.Elem()).Interface().(wire.Message)
					if err := json.Unmarshal(b, got); err != nil {
						t.Fatalf("%s: Unmarshal: %v\n%s", where, err, b)
					}
					if diff := cmp.Diff(orig, got, cmpopts.EquateEmpty()); diff != "" {
						t.Fatalf("%s: (-want +got)\n%s\n%s", where, diff, b)
					}
					want, err1 := wire.Marshal(orig, p)
					again, err2 := wire.Marshal(got, p)
					if err1 != nil || err2 != nil || !bytes.Equal(want, again) {
						t.Fatalf("%s: the value from JSON encodes differently: %v, %v\n%x\n%x", where, err1, err2, want, again)
					}
					if s, ok := orig.(fmt.Stringer); ok && strings.ContainsRune(s.String(), '\n') {
						t.Errorf("%s: String has several lines", where)
					}
				}
			}
		})
	}
}

// validUTF8 reports whether every string in v is valid UTF-8.
func validUTF8(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return utf8.ValidString(v.String())
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || validUTF8(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true // bytes are base64
		}
		for i := range v.Len() {
			if !validUTF8(v.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if !validUTF8(it.Key()) || !validUTF8(it.Value()) {
				return false
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if !validUTF8(v.Field(i)) {
				return false
			}
		}
	}
	return true
}

// A message prints as one line of JSON, with its enums by name and its
// unions tagged by variant.
func TestJSONString(t *testing.T) {
	opts := GCOptions{Action: GCActionDeleteSpecific, Targets: &GCPathsSpecific{Paths: []StorePath{"/nix/store/x"}}}
	want := `{"Action":"DeleteSpecific","Paths":null,"Targets":{"GCPathsSpecific":{"Paths":["/nix/store/x"],"DeleteReferrers":false}},"IgnoreLiveness":false,"MaxFreed":0,"Obsolete1":0,"Obsolete2":0,"Obsolete3":0}`
	if got := opts.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}
