package gen

import (
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/schema"
)

// typeSpell spells t as in the schema (without limits), for comments.
func typeSpell(t *typ) string {
	if t.spell != "" {
		return t.spell
	}
	switch t.kind {
	case kList:
		name, term := "list<", ""
		if t.set {
			name = "set<"
		}
		if t.terminated {
			term = ", terminated"
		}
		return name + typeSpell(t.elem) + term + ">"
	case kMap:
		return "map<" + typeSpell(t.key) + ", " + typeSpell(t.elem) + ">"
	case kOptional:
		return "optional<" + typeSpell(t.elem) + ">"
	case kOptEmpty:
		return "optional<" + typeSpell(t.elem) + ", empty>"
	}
	return t.kind.String()
}

// gateSpell spells g as in the schema: "since 1.16 if F"; "" for no gate.
// Features of other packages are not qualified; use gateSpellIn where the
// package is known.
func gateSpell(g schema.Gate) string { return gateSpellIn(g, nil, " ") }

// gateSpellIn spells g as the schema of pkg would write it, with the parts
// joined by sep: features of imported packages are qualified by the
// import's name ("if nix.PathNotHash").
func gateSpellIn(g schema.Gate, pkg *schema.Package, sep string) string {
	var parts []string
	if g.Since != 0 {
		parts = append(parts, "since "+g.Since.String())
	}
	if g.Until != 0 {
		parts = append(parts, "until "+g.Until.String())
	}
	for _, f := range g.If {
		parts = append(parts, "if "+featureSpell(f, pkg))
	}
	for _, f := range g.Unless {
		parts = append(parts, "unless "+featureSpell(f, pkg))
	}
	return strings.Join(parts, sep)
}

// featureSpell is f's name as the schema of pkg refers to it: qualified by
// the import's local name when f belongs to another package.
func featureSpell(f *schema.Feature, pkg *schema.Package) string {
	if pkg != nil && f.Pkg != nil && f.Pkg != pkg {
		for _, imp := range pkg.Imports {
			if imp.Package == f.Pkg {
				return imp.Name + "." + f.Name
			}
		}
	}
	return f.Name
}

// literalSpell spells a literal as in the schema.
func literalSpell(l *schema.Literal) string {
	switch l.Kind {
	case schema.IntLit:
		if l.Hex {
			return "0x" + strconv.FormatUint(l.Int, 16)
		}
		return strconv.FormatUint(l.Int, 10)
	case schema.StringLit:
		return strconv.Quote(l.Str)
	case schema.BoolLit:
		return strconv.FormatBool(l.Bool)
	case schema.IdentLit:
		return l.Ident
	}
	return "?"
}

// whenSpell spells a when clause as in the schema: "when Status != 0".
func whenSpell(w *schema.Condition) string {
	op := " != "
	if w.Equal {
		op = " == "
	}
	return "when " + w.Name + op + literalSpell(w.Value)
}
