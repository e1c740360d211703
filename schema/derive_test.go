package schema

import (
	"os"
	"strings"
	"testing"
)

// readmeBlock returns the first code block of README.md after heading.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), heading)
	_, rest, ok2 := strings.Cut(rest, "```\n")
	block, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatalf("no code block after %q in README.md", heading)
	}
	return block
}

// TestReadmeDerivedExample keeps the example of README.md's "Derived
// messages" valid against the real messages package, and checks the
// merged wire order.
func TestReadmeDerivedExample(t *testing.T) {
	example := readmeBlock(t, "## Derived messages")
	overlay := map[string][]byte{"ext.schema": []byte(example)}
	pkg, err := Load([]string{"ext.schema"}, LoadConfig{Dir: ".", Path: "example.test/ext", Name: "ext", Overlay: overlay})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := pkg.Lookup("PathInfo").(*Struct)
	if s == nil || s.Derived == nil || s.Derived.Base == nil || s.Derived.Base.Name != "ValidPathInfo" {
		t.Fatalf("PathInfo: %+v", s)
	}
	var order []string
	for _, f := range s.Fields {
		order = append(order, f.Name)
	}
	if got := strings.Join(order, " "); !strings.HasPrefix(got, "Path Deriver Host NarHash") || !strings.HasSuffix(got, " Tags") {
		t.Errorf("PathInfo's wire order: %s", got)
	}
	if own := s.Derived.Own; len(own) != 2 || own[0].Name != "Host" {
		t.Errorf("own fields: %v", own)
	}
	op := pkg.Op("QueryPathInfoTagged")
	if op == nil || op.From == nil || op.Code != 26 || op.From.Name != "QueryPathInfo" {
		t.Fatalf("QueryPathInfoTagged: %+v", op)
	}
	reply, _ := op.Reply.Decl.(*Struct)
	if reply == nil || reply.Derived == nil || reply.Derived.Base.Name != "QueryPathInfoReply" {
		t.Errorf("the derived op's reply: %+v", reply)
	}
	if op.Request.Decl.DeclPkg() == pkg {
		t.Error("the derived op does not keep the base's request")
	}
	pr := pkg.Protocol("Ext")
	if pr == nil || pr.Base == nil || pr.Base.Name != "Worker" {
		t.Errorf("protocol Ext: %+v", pr)
	}
}
