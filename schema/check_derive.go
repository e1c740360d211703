package schema

import (
	"slices"
	"strconv"
)

// The checks of derived structs, derived ops and protocol extension; see
// derive.go for the model and README.md ("Derived messages") for the
// rules.

// fileNamed returns the parsed file a position is in.
func (c *checker) fileNamed(pos Pos) *File {
	for _, f := range c.files {
		if f.Name == pos.File {
			return f
		}
	}
	return nil
}

// importOf returns the package a qualified name refers to through the
// imports of the file at pos: this package for an unqualified name, nil
// (reported unless the import is broken) for an unknown import.
func (c *checker) importOf(r *NameRef, what string) *Package {
	if r.Qual == "" {
		return c.pkg
	}
	imp := c.imports[c.fileNamed(r.Pos)][r.Qual]
	switch {
	case imp == nil:
		c.errorf(r.Pos, "unknown import %q in %s %q", r.Qual, what, r.String())
		return nil
	case c.broken[imp] || imp.Package == nil:
		return nil
	}
	return imp.Package
}

// resolveProtocols fills Package.Protocols and resolves their extends
// clauses.
func (c *checker) resolveProtocols() {
	for _, f := range c.files {
		if f.ProtocolPos == (Pos{}) || c.protos[f.Protocol] != f {
			continue
		}
		c.pkg.Protocols = append(c.pkg.Protocols, &Protocol{Pos: f.ProtocolPos, Doc: f.ProtocolDoc, Name: f.Protocol, Pkg: c.pkg})
	}
	for _, f := range c.files {
		pr := c.pkg.Protocol(f.Protocol)
		if f.Extends == nil || pr == nil || pr.Pos != f.ProtocolPos {
			continue
		}
		pkg := c.importOf(f.Extends, "protocol")
		if pkg == nil {
			continue
		}
		base := pkg.Protocol(f.Extends.Name)
		switch {
		case base == nil:
			c.errorf(f.Extends.Pos, "protocol %q extends %q, which is no protocol of %s", pr.Name, f.Extends.String(), pkgWhat(pkg, c.pkg))
		case base == pr || base.extends(pr):
			c.errorf(f.Extends.Pos, "protocol %q extends itself (through %q)", pr.Name, f.Extends.String())
		default:
			pr.Base = base
		}
	}
	// Op names become methods of one handler interface with the base's.
	for _, op := range c.pkg.Ops {
		pr := c.pkg.Protocol(op.Protocol)
		if pr == nil {
			continue
		}
		for b := pr.Base; b != nil; b = b.Base {
			if prev := b.Pkg.Op(op.Name); prev != nil && prev.Protocol == b.Name && b.Pkg != c.pkg {
				c.errorf(op.Pos, "op %q has the name of op %s.%s of the extended protocol %q (%s); "+
					"the handler of protocol %q has the methods of both: name it differently (e.g. %s)",
					op.Name, b.Pkg.Name, prev.Name, b.Name, prev.Pos, pr.Name, op.Name+"V2")
				break
			}
		}
	}
}

// extends reports whether pr extends base, directly or through others.
func (pr *Protocol) extends(base *Protocol) bool {
	seen := map[*Protocol]bool{}
	for p := pr.Base; p != nil && !seen[p]; p = p.Base {
		if p == base {
			return true
		}
		seen[p] = true
	}
	return false
}

// pkgWhat names a package in messages.
func pkgWhat(pkg, self *Package) string {
	if pkg == self {
		return "this package"
	}
	return "package " + strconv.Quote(pkg.Path)
}

// resolveDerivedOps resolves `op O from B`: its base op, code, request,
// reply and streams (what O does not declare it keeps from B), and the
// base of its inline request and reply.
func (c *checker) resolveDerivedOps() {
	for _, op := range c.pkg.Ops {
		if op.FromRef == nil {
			continue
		}
		pkg := c.importOf(op.FromRef, "op")
		if pkg == nil {
			c.orphanInline(op)
			continue
		}
		base := pkg.Op(op.FromRef.Name)
		if base == nil || base == op {
			c.errorf(op.FromRef.Pos, "op %q derives from %q, which is no op of %s", op.Name, op.FromRef.String(), pkgWhat(pkg, c.pkg))
			c.orphanInline(op)
			continue
		}
		if base.From == nil && base.FromRef != nil && pkg == c.pkg {
			c.errorf(op.FromRef.Pos, "op %q derives from op %q, which is itself derived: derive from the op it derives from", op.Name, base.Name)
			c.orphanInline(op)
			continue
		}
		op.From, op.Code = base, base.Code
		// The base's features hold for the derived op too.
		for _, ft := range base.Gate.If {
			if !slices.Contains(op.Gate.If, ft) {
				op.Gate.If = append(op.Gate.If, ft)
			}
		}
		for _, ft := range base.Gate.Unless {
			if !slices.Contains(op.Gate.Unless, ft) {
				op.Gate.Unless = append(op.Gate.Unless, ft)
			}
		}
		if len(op.Streams) == 0 {
			op.Streams = base.Streams
		}
		op.Request = c.derivedMessage(op, "request", op.Request, base.Request)
		op.Reply = c.derivedMessage(op, "reply", op.Reply, base.Reply)
	}
}

// orphanInline gives the inline messages of a derived op whose base did
// not resolve a base of nothing, so that they are checked as plain structs.
func (c *checker) orphanInline(op *Op) {
	for _, t := range []*Type{op.Request, op.Reply} {
		if s, ok := refStruct(t); ok && s.Op == op && s.Derived != nil && s.Derived.From == nil {
			s.Derived = nil
		}
	}
}

// refStruct returns the struct a Ref type names.
func refStruct(t *Type) (*Struct, bool) {
	if t == nil || t.Kind != Ref {
		return nil, false
	}
	s, ok := t.Decl.(*Struct)
	return s, ok
}

// derivedMessage resolves the request or reply of a derived op: the base
// op's when none is declared, an inline struct derived from the base's, or
// a named struct that must be the base's or derived from it.
func (c *checker) derivedMessage(op *Op, what string, t, base *Type) *Type {
	if t == nil {
		return base
	}
	s, ok := refStruct(t)
	if !ok {
		return t // checkOp reports it
	}
	if s.Op == op && s.Derived != nil && s.Derived.From == nil { // inline
		if base == nil {
			c.errorf(t.Pos, "op %q derives from %q, which has no %s: an inline %s of a derived op extends the base's",
				op.Name, op.FromRef.String(), what, what)
			s.Derived = nil
			return t
		}
		s.Derived.From = base
		return t
	}
	b, _ := refStruct(base)
	if base == nil || !derivesFrom(s, b) {
		want := "no " + what
		if b != nil {
			want = strconv.Quote(qualName(b, c.pkg))
		}
		c.errorf(t.Pos, "the %s of op %q must be the %s of its base %q (%s) or a struct derived from it; %q is not",
			what, op.Name, what, op.FromRef.String(), want, typeString(t))
	}
	return t
}

// derivesFrom reports whether s is b or derives from it, directly or
// through others.
func derivesFrom(s, b *Struct) bool {
	for range 1000 {
		if s == nil {
			return false
		}
		if s == b {
			return true
		}
		if s.Derived == nil {
			return false
		}
		next, _ := refStruct(s.Derived.From)
		s = next
	}
	return false
}

// checkDerivedOps reports derived ops whose protocol does not extend the
// base op's, whose range leaves the base's, or whose opcode is another
// op's in the same range.
func (c *checker) checkDerivedOps() {
	for _, op := range c.pkg.Ops {
		base := op.From
		if base == nil {
			continue
		}
		pr := c.pkg.Protocol(op.Protocol)
		bpr := base.Pkg().Protocol(base.Protocol)
		switch {
		case pr == nil || pr.Base == nil:
			c.errorf(op.Pos, "op %q derives from %q, but its protocol %q extends none: write `protocol %s extends %s`",
				op.Name, op.FromRef.String(), op.Protocol, orName(op.Protocol, "P"), qualProto(op.FromRef, base))
			continue
		case bpr == nil || (pr.Base != bpr && !pr.Base.extends(bpr)):
			c.errorf(op.FromRef.Pos, "op %q derives from %q of protocol %q, which protocol %q does not extend (it extends %q)",
				op.Name, op.FromRef.String(), base.Protocol, pr.Name, pr.Base.Name)
			continue
		}
		g, bg := op.Gate, base.Gate
		if g.Since < bg.Since || (bg.Until != 0 && (g.Until == 0 || g.Until > bg.Until)) {
			c.errorf(op.Pos, "derived op %q exists %s, outside the range of its base %q (%s): a derived op re-declares its base for part of the base's range",
				op.Name, rangeString(g), op.FromRef.String(), rangeString(bg))
		}
	}
	// Two ops of a protocol with one code, one of them derived, must not
	// exist at the same protocol; reported at the later one.
	for j, op := range c.pkg.Ops {
		for _, other := range c.pkg.Ops[:j] {
			if other.Protocol != op.Protocol || other.Code != op.Code || (other.From == nil && op.From == nil) ||
				(other.FromRef != nil && other.From == nil) || (op.FromRef != nil && op.From == nil) {
				continue
			}
			if !disjoint(other.Gate, op.Gate) {
				c.errorf(op.Pos, "op %q has opcode %d %s, as op %q (%s) %s: ops of a protocol with one opcode need ranges that do not overlap",
					op.Name, op.Code, rangeString(op.Gate), other.Name, other.Pos, rangeString(other.Gate))
				break
			}
		}
	}
}

// Pkg returns the package that declares op.
func (op *Op) Pkg() *Package { return op.pkg }

func orName(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// qualProto spells the protocol of base as the derived op's file names it.
func qualProto(r *NameRef, base *Op) string {
	if r.Qual != "" {
		return r.Qual + "." + base.Protocol
	}
	return base.Protocol
}

// rangeString spells a gate's version range: "since 1.39", "at every version".
func rangeString(g Gate) string {
	switch {
	case g.Since != 0 && g.Until != 0:
		return "since " + g.Since.String() + " until " + g.Until.String()
	case g.Since != 0:
		return "since " + g.Since.String()
	case g.Until != 0:
		return "until " + g.Until.String()
	}
	return "at every version"
}

// checkDerived checks a derived struct and merges its base's fields and
// layouts with its own (see Derivation). A struct derived from another of
// this package is merged after its base.
func (c *checker) checkDerived(s *Struct) {
	if c.derived == nil {
		c.derived = map[*Struct]int{}
	}
	switch c.derived[s] {
	case 1:
		c.errorf(s.Pos, "struct %q derives from itself", s.Name)
		return
	case 2:
		return
	}
	c.derived[s] = 1
	defer func() { c.derived[s] = 2 }()

	d := s.Derived
	d.Own, d.NewLayouts = s.Fields, s.Layouts
	s.Fields, s.Layouts = nil, nil
	for _, l := range d.NewLayouts {
		for _, fd := range l.Fields {
			if !fd.inherited() {
				d.Own = append(d.Own, fd)
			}
		}
	}
	from := d.From
	if unresolved(from) {
		return
	}
	base, ok := refStruct(from)
	if !ok {
		c.errorf(from.Pos, "struct %q derives from %s, which is %s: only a struct can be derived",
			s.Name, typeString(from), derivedWhat(from))
		return
	}
	if base.Derived != nil && base.Pkg == c.pkg {
		c.checkDerived(base)
	}
	if base.Union != nil {
		c.errorf(from.Pos, "struct %q derives from %q, a variant of union %q: a variant cannot be derived (the derived struct would be a variant too)",
			s.Name, typeString(from), base.Union.Name)
		return
	}
	d.Base = base

	// Own fields: unique, no base name, gated so that they are off the
	// wire where the base is what the peer expects.
	baseField := map[string]*Field{}
	for _, fd := range base.Fields {
		baseField[fd.Name] = fd
	}
	seen := map[string]*Field{}
	ok = true
	for _, fd := range d.Own {
		c.checkField(fd, true)
		switch prev := baseField[fd.Name]; {
		case prev != nil:
			c.errorf(fd.Pos, "field %q of struct %q collides with the field %q of its base %q (%s)", fd.Name, s.Name, fd.Name, typeString(from), prev.Pos)
			ok = false
			continue
		case fd.Name == base.Name:
			c.errorf(fd.Pos, "field %q of struct %q collides with the embedded base %q: the Go struct embeds %s as a field of that name", fd.Name, s.Name, typeString(from), base.Name)
			ok = false
			continue
		}
		if !c.uniqueField(seen, fd) {
			ok = false
			continue
		}
		if fd.Gate.Since == 0 && len(fd.Gate.If) == 0 && !inNewLayout(d, fd) {
			c.errorf(fd.Pos, "field %q added to struct %q needs a since or if gate: without one it is on the wire wherever %q is, and %q would not encode as its base",
				fd.Name, s.Name, typeString(from), s.Name)
		}
	}
	if !ok || !c.checkPlaces(s, baseField) {
		return
	}
	if len(d.NewLayouts) > 0 {
		c.mergeLayouts(s, base, baseField)
	} else {
		c.mergeFields(s, base)
	}
	c.checkOwnConditions(s)
}

// derivedWhat names what a non-struct base is.
func derivedWhat(t *Type) string {
	if t.Kind != Ref {
		return "a " + typeString(t)
	}
	return article(declKind(t.Decl))
}

// inNewLayout reports whether fd is a field of one of d's new layouts.
func inNewLayout(d *Derivation, fd *Field) bool {
	for _, l := range d.NewLayouts {
		if slices.Contains(l.Fields, fd) {
			return true
		}
	}
	return false
}

// checkPlaces reports after clauses that name neither a field of the base
// nor an own field declared before, and after clauses in new layouts
// (which list their fields in wire order).
func (c *checker) checkPlaces(s *Struct, baseField map[string]*Field) bool {
	d := s.Derived
	ok := true
	for i, fd := range d.Own {
		if fd.Place == nil {
			continue
		}
		anchor := fd.Place.After
		named := func(f *Field) bool { return f.Name == anchor }
		switch {
		case inNewLayout(d, fd):
			c.errorf(fd.Place.Pos, "after %s: a field of a layout goes where it is written; after places a field among the base's", anchor)
			ok = false
		case baseField[anchor] == nil && !slices.ContainsFunc(d.Own[:i], named):
			hint := ""
			if slices.ContainsFunc(d.Own, named) {
				hint = "; field " + strconv.Quote(anchor) + " is declared after it"
			}
			c.errorf(fd.Place.Pos, "after %s: struct %q has no field %q before %q, and its base %q has none%s",
				anchor, s.Name, anchor, fd.Name, typeString(d.From), hint)
			ok = false
		}
	}
	return ok
}

// insertOwn inserts the own fields that are not in new layouts into a wire
// order list (a base layout, or the base's plain fields), each after the
// field its after clause names or at the end. A field placed after one
// that the list does not hold is left out of it.
func insertOwn(d *Derivation, list []*Field) []*Field {
	out := slices.Clone(list)
	last := map[string]*Field{} // anchor → last field inserted after it
	for _, fd := range d.Own {
		if inNewLayout(d, fd) {
			continue
		}
		if fd.Place == nil {
			out = append(out, fd)
			continue
		}
		anchor := fd.Place.After
		at := slices.IndexFunc(out, func(f *Field) bool { return f.Name == anchor })
		if at < 0 {
			continue
		}
		if prev := last[anchor]; prev != nil {
			at = slices.Index(out, prev)
		}
		out = slices.Insert(out, at+1, fd)
		last[anchor] = fd
	}
	return out
}

// mergeFields merges the base's fields and the own ones (no new layouts).
func (c *checker) mergeFields(s *Struct, base *Struct) {
	d := s.Derived
	if base.Layouts == nil {
		s.Fields = insertOwn(d, base.Fields)
		return
	}
	s.Fields = append(slices.Clone(base.Fields), d.Own...)
	for _, l := range base.Layouts {
		s.Layouts = append(s.Layouts, &Layout{Pos: l.Pos, Gate: l.Gate, Fields: insertOwn(d, l.Fields)})
	}
}

// mergeLayouts merges a derived struct that adds layouts for new version
// ranges: each new layout starts at a since; the base's layouts (a plain
// base is one layout) end where the first new one starts, and own fields
// outside the new layouts go into them.
func (c *checker) mergeLayouts(s *Struct, base *Struct, baseField map[string]*Field) {
	d := s.Derived
	var start = d.NewLayouts[0].Gate.Since
	for _, l := range d.NewLayouts {
		if l.Gate.Since == 0 || len(l.Gate.If) > 0 || len(l.Gate.Unless) > 0 {
			c.errorf(l.Pos, "a layout added to derived struct %q needs a since gate and no features: it replaces the base's layouts from that version on", s.Name)
			return
		}
		start = min(start, l.Gate.Since)
	}
	baseLayouts := base.Layouts
	if baseLayouts == nil {
		baseLayouts = []*Layout{{Pos: base.Pos, Fields: base.Fields}}
	}
	s.Fields = slices.Clone(base.Fields)
	for _, l := range baseLayouts {
		g := l.Gate
		if g.Since >= start {
			continue // replaced whole
		}
		if g.Until == 0 || g.Until > start {
			g.Until = start
		}
		s.Layouts = append(s.Layouts, &Layout{Pos: l.Pos, Gate: g, Fields: insertOwn(d, l.Fields)})
	}
	for _, fd := range d.Own {
		if !inNewLayout(d, fd) {
			s.Fields = append(s.Fields, fd)
		}
	}
	for _, l := range d.NewLayouts {
		seen := map[string]*Field{}
		for i, fd := range l.Fields {
			if fd.inherited() {
				bf := baseField[fd.Name]
				if bf == nil {
					c.errorf(fd.Pos, "field %q: base %q has no field %q; a bare name in a layout of a derived struct names a field of the base", fd.Name, typeString(d.From), fd.Name)
					continue
				}
				l.Fields[i] = bf
				fd = bf
			}
			if prev, dup := seen[fd.Name]; dup {
				c.errorf(l.Fields[i].Pos, "duplicate field %q (the first is at %s)", fd.Name, prev.Pos)
				continue
			}
			seen[fd.Name] = fd
			if !slices.Contains(s.Fields, fd) {
				s.Fields = append(s.Fields, fd)
			}
		}
		for _, prev := range s.Layouts {
			if !disjoint(prev.Gate, l.Gate) {
				c.errorf(l.Pos, "layout overlaps the layout at %s: the layouts of a struct need gates that exclude each other", prev.Pos)
				break
			}
		}
		s.Layouts = append(s.Layouts, l)
	}
}

// checkOwnConditions resolves the when clauses of the own fields against
// the merged wire order; the base's are resolved already.
func (c *checker) checkOwnConditions(s *Struct) {
	own := func(f *Field) bool { return slices.Contains(s.Derived.Own, f) }
	if s.Layouts == nil {
		for i, fd := range s.Fields {
			if fd.When != nil && own(fd) {
				c.resolveCondition(s, fd, s.Fields[:i], nil)
			}
		}
		return
	}
	for _, l := range s.Layouts {
		for i, fd := range l.Fields {
			if fd.When != nil && own(fd) {
				c.resolveCondition(s, fd, l.Fields[:i], l)
			}
		}
	}
}

// qualName spells a struct's name as Go code in pkg refers to it.
func qualName(s *Struct, pkg *Package) string {
	if s.Pkg == pkg || s.Pkg == nil {
		return s.Name
	}
	return s.Pkg.Name + "." + s.Name
}
