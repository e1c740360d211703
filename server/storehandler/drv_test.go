package storehandler

import (
	"errors"
	"maps"
	"testing"

	"github.com/nixwire/nixwire/messages"
)

func TestParseDrvOutputs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[messages.OutputName]messages.StorePath
	}{
		{`Derive([("out","/nix/store/aaaa-x","","")],[],[],"x86_64-linux","/bin/sh",[],[])`, map[messages.OutputName]messages.StorePath{"out": "/nix/store/aaaa-x"}},
		{`Derive([("dev","/nix/store/d-x-dev","",""),("out","/nix/store/o-x","r:sha256","ab")],[("/nix/store/i.drv",["out"])],[],"s","b",["-c","echo \"hi\\n\""],[("a","b\tc")])`,
			map[messages.OutputName]messages.StorePath{"dev": "/nix/store/d-x-dev", "out": "/nix/store/o-x"}},
		{`Derive([("out","","r:sha256","")],[],[],"s","b",[],[])`, map[messages.OutputName]messages.StorePath{"out": ""}},
		{`Derive([],[],[],"s","b",[],[])`, map[messages.OutputName]messages.StorePath{}},
		{`Derive([("o\"ut","/nix/store/e","","")]`, map[messages.OutputName]messages.StorePath{`o"ut`: "/nix/store/e"}},
	} {
		got, err := parseDrvOutputs([]byte(tc.in))
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("parseDrvOutputs(%.50q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "hello", `Derive([("out","/nix/store/x"`, `Derive([("out","/nix/store/x","","")`, `Derive([("out","x","","")("dev","y","","")])`, `Derive([("out","x\`} {
		if _, err := parseDrvOutputs([]byte(bad)); !errors.Is(err, errNotDrv) {
			t.Errorf("parseDrvOutputs(%q): %v, want errNotDrv", bad, err)
		}
	}
}

func FuzzParseDrvOutputs(f *testing.F) {
	f.Add([]byte(`Derive([("out","/nix/store/aaaa-x","","")],[],[],"x86_64-linux","/bin/sh",[],[])`))
	f.Add([]byte(`Derive([("o\"ut","/nix/store/e","",""),("x","","r:sha256","")]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseDrvOutputs(b) // never panics
	})
}
