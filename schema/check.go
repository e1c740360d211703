package schema

import (
	"fmt"
	"strconv"
)

// checker resolves the names of one package's parsed files and checks
// them, filling the Package. Its passes run in order (see check); each
// reports every problem it finds and carries on, skipping what an earlier
// error left unresolved so that one mistake is reported once.
type checker struct {
	pkg      *Package
	files    []*File
	errs     *ErrorList
	imports  map[*File]map[string]*Import // local name → import, per file
	broken   map[*Import]bool             // imports of a package that failed: names through them are not reported
	decls    map[string]Decl
	features map[string]*Feature
	ops      map[string]*Op
	protos   map[string]*File // the first file of each protocol ("" for the unnamed one, with ops)
	derived  map[*Struct]int  // derived structs: 1 while being merged, 2 once merged
}

// check resolves and checks files as the package pkg, whose Name, Path,
// Dir and Files are set and whose imports have Package set (those in broken
// may be partial). It fills the rest of pkg and appends problems to errs.
func check(pkg *Package, files []*File, broken map[*Import]bool, errs *ErrorList) {
	c := &checker{pkg: pkg, files: files, errs: errs, broken: broken,
		imports: map[*File]map[string]*Import{}, decls: map[string]Decl{}, features: map[string]*Feature{},
		ops: map[string]*Op{}, protos: map[string]*File{}}
	c.collectProtocols()
	c.collectImports()
	c.collectLimits()
	c.collectFeatures()
	c.collectDecls()
	c.collectOps()
	c.forEachType(c.resolveType)
	c.forEachType(c.checkShape)
	c.forEachGate(c.checkGate)
	c.resolveProtocols()
	c.resolveDerivedOps()
	for _, d := range pkg.Decls {
		switch d := d.(type) {
		case *Named:
			c.checkNamed(d)
		case *Enum:
			c.checkEnum(d)
		case *Struct:
			if d.Derived != nil {
				c.checkDerived(d)
				continue
			}
			c.checkStruct(d)
		case *Union:
			c.checkUnion(d)
		}
	}
	for _, op := range pkg.Ops {
		c.checkOp(op)
	}
	c.checkDerivedOps()
	c.checkRecursion()
	c.checkTerminatedCycles()
	c.checkGoNames()
}

func (c *checker) errorf(pos Pos, format string, args ...any) {
	*c.errs = append(*c.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// exported reports a name that does not start with an upper-case letter.
func (c *checker) exported(pos Pos, what, name string) {
	if name != "" && !('A' <= name[0] && name[0] <= 'Z') {
		c.errorf(pos, "%s name %q must start with an upper-case letter (it becomes an exported Go name)", what, name)
	}
}

func (c *checker) collectProtocols() {
	for _, f := range c.files {
		if f.ProtocolPos == (Pos{}) {
			if len(f.Ops) > 0 {
				if prev, ok := c.protos[""]; ok {
					c.errorf(f.Ops[0].Pos, "the ops of %s and %s both belong to the unnamed protocol; "+
						"give each file a protocol statement", prev.Name, f.Name)
				} else {
					c.protos[""] = f
				}
			}
			continue
		}
		c.exported(f.ProtocolPos, "protocol", f.Protocol)
		if prev, ok := c.protos[f.Protocol]; ok {
			c.errorf(f.ProtocolPos, "protocol %q is also the protocol of %s (%s); each file of a package names its own",
				f.Protocol, prev.Name, prev.ProtocolPos)
			continue
		}
		c.protos[f.Protocol] = f
		if f.ProtocolDoc != "" {
			if c.pkg.ProtocolDocs == nil {
				c.pkg.ProtocolDocs = make(map[string]string)
			}
			c.pkg.ProtocolDocs[f.Protocol] = f.ProtocolDoc
		}
	}
}

func (c *checker) collectImports() {
	for _, f := range c.files {
		byName := map[string]*Import{}
		c.imports[f] = byName
		for _, imp := range f.Imports {
			c.pkg.Imports = append(c.pkg.Imports, imp)
			switch imp.Name {
			case "": // the package did not load, which is reported
				continue
			case "_":
				c.errorf(imp.Pos, "import %q cannot be named _: its types are used through its name", imp.Path)
				continue
			}
			if prev, ok := byName[imp.Name]; ok {
				c.errorf(imp.Pos, "duplicate import name %q (also %q at %s)", imp.Name, prev.Path, prev.Pos)
				continue
			}
			byName[imp.Name] = imp
		}
	}
}

func (c *checker) collectLimits() {
	c.pkg.Limits = DefaultLimits
	var first *File
	for _, f := range c.files {
		if f.Limits == nil {
			continue
		}
		if first != nil {
			c.errorf(f.LimitsPos, "duplicate limits block; the package's limits are at %s", first.LimitsPos)
			continue
		}
		first = f
		l := &c.pkg.Limits
		for _, v := range []struct{ dst, src *uint64 }{{&l.String, &f.Limits.String}, {&l.Bytes, &f.Limits.Bytes}, {&l.Count, &f.Limits.Count}} {
			if *v.src != 0 {
				*v.dst = *v.src
			}
		}
	}
}

func (c *checker) collectFeatures() {
	values := map[string]*Feature{}
	for _, f := range c.files {
		for _, ft := range f.Features {
			ft.Pkg = c.pkg
			c.exported(ft.Pos, "feature", ft.Name)
			if prev, ok := c.features[ft.Name]; ok {
				c.errorf(ft.Pos, "duplicate feature %q (the first is at %s)", ft.Name, prev.Pos)
				continue
			}
			if ft.Value == "" {
				c.errorf(ft.Pos, "feature %q needs a non-empty name on the wire", ft.Name)
			} else if prev, ok := values[ft.Value]; ok {
				c.errorf(ft.Pos, "feature %q has the same wire name %q as feature %q (%s)", ft.Name, ft.Value, prev.Name, prev.Pos)
			} else {
				values[ft.Value] = ft
			}
			c.features[ft.Name] = ft
			c.pkg.Features = append(c.pkg.Features, ft)
		}
	}
}

// declKind names the kind of a declaration in messages.
func declKind(d Decl) string {
	switch d := d.(type) {
	case *Named:
		return "type"
	case *Enum:
		return "enum"
	case *Union:
		return "union"
	case *Struct:
		if d.Op != nil && d.Op.Request != nil && d.Op.Request.Decl == d {
			return "request struct of op " + strconv.Quote(d.Op.Name)
		}
		if d.Op != nil {
			return "reply struct of op " + strconv.Quote(d.Op.Name)
		}
	}
	return "struct"
}

func (c *checker) collectDecls() {
	for _, f := range c.files {
		for _, d := range f.Decls {
			info := declInfo(d)
			info.Pkg = c.pkg
			c.pkg.Decls = append(c.pkg.Decls, d)
			if s, ok := d.(*Struct); !ok || s.Op == nil { // a synthesized name is checked with its op
				c.exported(info.Pos, declKind(d), info.Name)
			}
			if prev, ok := c.decls[info.Name]; ok {
				if !sameOpName(d, prev) { // else the duplicate op is reported
					c.errorf(info.Pos, "duplicate name %q: the %s here and the %s at %s",
						info.Name, declKind(d), declKind(prev), prev.DeclPos())
				}
				continue
			}
			c.decls[info.Name] = d
		}
	}
}

// sameOpName reports whether a and b are structs synthesized for two ops
// of the same name.
func sameOpName(a, b Decl) bool {
	sa, ok1 := a.(*Struct)
	sb, ok2 := b.(*Struct)
	return ok1 && ok2 && sa.Op != nil && sb.Op != nil && sa.Op.Name == sb.Op.Name
}

// declInfo returns the common part of a declaration.
func declInfo(d Decl) *DeclInfo {
	switch d := d.(type) {
	case *Named:
		return &d.DeclInfo
	case *Enum:
		return &d.DeclInfo
	case *Struct:
		return &d.DeclInfo
	case *Union:
		return &d.DeclInfo
	}
	panic("schema: unknown declaration type")
}

func (c *checker) collectOps() {
	type key struct {
		protocol string
		code     uint64
	}
	byCode := map[key]*Op{}
	for _, f := range c.files {
		for _, op := range f.Ops {
			op.pkg = c.pkg
			c.pkg.Ops = append(c.pkg.Ops, op)
			c.exported(op.Pos, "op", op.Name)
			if prev, ok := c.ops[op.Name]; ok {
				c.errorf(op.Pos, "duplicate op %q (the first is at %s)", op.Name, prev.Pos)
			} else {
				c.ops[op.Name] = op
			}
			k := key{op.Protocol, op.Code}
			if op.FromRef != nil {
				continue // its code is its base's: see checkDerivedOps
			}
			if prev, ok := byCode[k]; ok {
				in := ""
				if op.Protocol != "" {
					in = " in protocol " + strconv.Quote(op.Protocol)
				}
				c.errorf(op.Pos, "duplicate opcode %d%s: op %q has it too (%s)", op.Code, in, prev.Name, prev.Pos)
			} else {
				byCode[k] = op
			}
		}
	}
}
