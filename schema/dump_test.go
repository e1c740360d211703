package schema

import (
	"fmt"
	"strconv"
	"strings"
)

// dump renders a checked package as text for golden files: every
// declaration, field, gate, limit and op as resolved by the checker.
func dump(pkg *Package) string {
	var b strings.Builder
	pr := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	l := pkg.Limits
	pr("package %s %q limits string %d, bytes %d, count %d", pkg.Name, pkg.Path, l.String, l.Bytes, l.Count)
	for _, imp := range pkg.Imports {
		pr("import %s %q (package %s)", imp.Name, imp.Path, imp.Package.Name)
	}
	for _, f := range pkg.Features {
		pr("feature %s = %q%s", f.Name, f.Value, docDump(f.Doc))
	}
	for _, d := range pkg.Decls {
		switch d := d.(type) {
		case *Named:
			v := ""
			if d.Validate {
				v = " validate"
			}
			pr("type %s %s%s%s", d.Name, typeDump(pkg, d.Type), v, docDump(d.Doc))
		case *Enum:
			o := ""
			if d.Open {
				o = " open"
			}
			pr("enum %s%s%s", d.Name, o, docDump(d.Doc))
			for _, v := range d.Values {
				pr("\t%s = %d%s%s", v.Name, v.Value, gateDump(pkg, v.Gate), docDump(v.Doc))
			}
		case *Struct:
			extra := ""
			if d.Union != nil {
				extra += " (variant of " + d.Union.Name + ")"
			}
			if d.Op != nil {
				extra += " (of op " + d.Op.Name + ")"
			}
			pr("struct %s%s%s", d.Name, extra, docDump(d.Doc))
			for _, f := range d.Fields {
				pr("\t%s", fieldDump(pkg, f))
			}
			for _, l := range d.Layouts {
				var names []string
				for _, f := range l.Fields {
					names = append(names, f.Name)
				}
				pr("\tlayout%s: %s", gateDump(pkg, l.Gate), strings.Join(names, ", "))
			}
		case *Union:
			pr("union %s%s", d.Name, docDump(d.Doc))
			for _, v := range d.Variants {
				pr("\t%d %s%s%s", v.Tag, v.Struct.Name, gateDump(pkg, v.Gate), docDump(v.Doc))
			}
		}
	}
	for _, op := range pkg.Ops {
		s := fmt.Sprintf("op %s.%s = %d%s", op.Protocol, op.Name, op.Code, gateDump(pkg, op.Gate))
		if op.Deprecated != "" {
			s += " deprecated " + strconv.Quote(op.Deprecated)
		}
		s += " request " + typeDump(pkg, op.Request)
		if op.Reply != nil {
			s += " reply " + typeDump(pkg, op.Reply)
		}
		pr("%s%s", s, docDump(op.Doc))
		for _, st := range op.Streams {
			dir := map[Direction]string{AfterRequest: "request", AfterReply: "reply"}[st.Dir]
			kind := map[StreamKind]string{Framed: "framed", Raw: "raw", Pull: "pull", Push: "push"}[st.Kind]
			pr("\tstream %s %s%s", dir, kind, gateDump(pkg, st.Gate))
		}
	}
	return b.String()
}

func docDump(doc string) string {
	if doc == "" {
		return ""
	}
	return " // " + strings.ReplaceAll(doc, "\n", " | ")
}

func fieldDump(pkg *Package, f *Field) string {
	s := f.Name + " " + typeDump(pkg, f.Type) + gateDump(pkg, f.Gate)
	if w := f.When; w != nil {
		op := " != "
		if w.Equal {
			op = " == "
		}
		s += " when " + w.Name + op + literalDump(w.Value)
		if w.Field == nil {
			s += "(unresolved field)"
		} else {
			s += fmt.Sprintf(" (field at %d:%d)", w.Field.Pos.Line, w.Field.Pos.Col)
		}
	}
	if f.At != nil {
		s += " at " + f.At.String()
	}
	if f.Default != nil {
		s += " default " + literalDump(f.Default)
	}
	if f.Const != nil {
		s += " const " + literalDump(f.Const)
	}
	if f.Required {
		s += " required"
	}
	return s + docDump(f.Doc)
}

func literalDump(l *Literal) string {
	switch l.Kind {
	case IntLit:
		return strconv.FormatUint(l.Int, 10)
	case StringLit:
		return strconv.Quote(l.Str)
	case BoolLit:
		return strconv.FormatBool(l.Bool)
	}
	if l.Value == nil {
		return l.Ident + "(unresolved)"
	}
	return fmt.Sprintf("%s(=%d)", l.Value.Name, l.Value.Value)
}

// typeDump formats a type with its limits and, for names, the kind and
// package of the declaration.
func typeDump(pkg *Package, t *Type) string {
	lim := ""
	if t.Max != 0 {
		lim = fmt.Sprintf("(max %d)", t.Max)
		if t.Min != 0 {
			lim = fmt.Sprintf("(min %d, max %d)", t.Min, t.Max)
		}
	}
	switch t.Kind {
	case List, Set:
		if t.Terminated {
			return t.Kind.String() + "<" + typeDump(pkg, t.Elem) + ", terminated>" + lim
		}
		return t.Kind.String() + "<" + typeDump(pkg, t.Elem) + ">" + lim
	case Map:
		return "map<" + typeDump(pkg, t.Key) + ", " + typeDump(pkg, t.Elem) + ">" + lim
	case Optional:
		if t.Empty {
			return "optional<" + typeDump(pkg, t.Elem) + ", empty>"
		}
		return "optional<" + typeDump(pkg, t.Elem) + ">"
	case Ref:
		s := typeString(t) + "=" + declKind(t.Decl)
		if p := t.Decl.DeclPkg(); p != pkg {
			s += "@" + p.Path
		}
		return s
	}
	return t.Kind.String() + lim
}

func gateDump(pkg *Package, g Gate) string {
	var s string
	if g.Since != 0 {
		s += " since " + g.Since.String()
	}
	if g.Until != 0 {
		s += " until " + g.Until.String()
	}
	name := func(f *Feature) string {
		if f.Pkg != pkg {
			return f.Pkg.Path + "." + f.Name
		}
		return f.Name
	}
	for _, f := range g.If {
		s += " if " + name(f)
	}
	for _, f := range g.Unless {
		s += " unless " + name(f)
	}
	return s
}
