package schema

import "testing"

// TestProtocolDocs checks that the doc comment of a protocol statement is
// kept, by protocol name, and that a detached comment is not taken for it.
func TestProtocolDocs(t *testing.T) {
	overlay := map[string][]byte{
		"a.schema": []byte("// Alpha is the first protocol.\n// It has one op.\nprotocol Alpha\n\nop Ping = 1 {}\n"),
		"b.schema": []byte("// A file comment, not the protocol's.\n\nprotocol Beta\n\nop Pong = 1 {}\n"),
	}
	pkg, err := Load([]string{"a.schema", "b.schema"}, LoadConfig{Path: "x", Overlay: overlay, resolver: mapResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pkg.ProtocolDocs["Alpha"], "Alpha is the first protocol.\nIt has one op."; got != want {
		t.Errorf("ProtocolDocs[Alpha] = %q, want %q", got, want)
	}
	if got, ok := pkg.ProtocolDocs["Beta"]; ok {
		t.Errorf("ProtocolDocs[Beta] = %q, want none", got)
	}
}
