package schema

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nixwire/nixwire/wire"
)

// lexer splits a schema file into tokens. It attaches doc comments to the
// first token of the line below them and trailing comments to the tNewline
// token that ends their line. Lexical errors are reported through errf and
// produce a tIllegal token, so that the parser can recover without
// reporting them again.
type lexer struct {
	file string
	src  []byte
	errf func(Pos, string)

	i, line, lineStart int
	toks               []token
	lineHasToken       bool     // a token (even ";") was emitted on the current line
	group              []string // comment lines of the current doc comment group
	groupEnd           int      // line of the group's last comment
	trailing           string   // comment that follows tokens on the current line
	angles             int      // "<" not yet closed by ">", to cap the nesting of types early
}

// lex returns the tokens of src, always ending with a tNewline (if src has
// any token) and a tEOF.
func lex(file string, src []byte, errf func(Pos, string)) []token {
	lx := &lexer{file: file, src: src, errf: errf, line: 1}
	if bom := "\ufeff"; strings.HasPrefix(string(src), bom) {
		// A byte order mark, as some editors write: skipped, as Go does.
		lx.i, lx.lineStart = len(bom), len(bom)
	}
	lx.run()
	return lx.toks
}

func (lx *lexer) pos() Pos { return Pos{File: lx.file, Line: lx.line, Col: lx.i - lx.lineStart + 1} }

func (lx *lexer) run() {
	for lx.i < len(lx.src) {
		c := lx.src[lx.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			lx.i++
		case c == '\n':
			lx.newline(lx.pos(), "\n")
			lx.i++
			lx.line++
			lx.lineStart = lx.i
			lx.lineHasToken = false
			lx.trailing = ""
		case c == ';':
			lx.newline(lx.pos(), ";")
			lx.lineHasToken = true
			lx.i++
		case c == '/' && lx.i+1 < len(lx.src) && lx.src[lx.i+1] == '/':
			lx.comment()
		case isLetter(c):
			p, start := lx.pos(), lx.i
			for lx.i < len(lx.src) && (isLetter(lx.src[lx.i]) || isDigit(lx.src[lx.i])) {
				lx.i++
			}
			lx.emit(token{kind: tIdent, pos: p, text: string(lx.src[start:lx.i])})
		case isDigit(c):
			lx.number()
		case c == '"':
			lx.string()
		case (c == '=' || c == '!') && lx.i+1 < len(lx.src) && lx.src[lx.i+1] == '=':
			kind := tEq
			if c == '!' {
				kind = tNe
			}
			lx.emit(token{kind: kind, pos: lx.pos(), text: string(lx.src[lx.i : lx.i+2])})
			lx.i += 2
		default:
			p := lx.pos()
			kind := punct(c)
			if kind == tIllegal {
				r, size := utf8.DecodeRune(lx.src[lx.i:])
				if r == utf8.RuneError && size <= 1 {
					lx.errf(p, "invalid UTF-8 byte "+strconv.Quote(string(lx.src[lx.i:lx.i+1])))
					size = 1
				} else {
					lx.errf(p, "unexpected character "+strconv.QuoteRune(r))
				}
				lx.emit(token{kind: tIllegal, pos: p, text: string(lx.src[lx.i : lx.i+size])})
				lx.i += size
				continue
			}
			switch kind {
			case tLAngle:
				lx.angles++
			case tRAngle:
				lx.angles = max(lx.angles-1, 0)
			}
			if lx.angles > maxTypeDepth {
				lx.tooDeep(p)
				continue
			}
			lx.emit(token{kind: kind, pos: p, text: string(c)})
			lx.i++
		}
	}
	lx.newline(lx.pos(), "\n")
	lx.toks = append(lx.toks, token{kind: tEOF, pos: lx.pos(), first: !lx.lineHasToken})
}

// punct returns the kind of a one-character token, or tIllegal.
func punct(c byte) tokenKind {
	switch c {
	case '{':
		return tLBrace
	case '}':
		return tRBrace
	case '<':
		return tLAngle
	case '>':
		return tRAngle
	case '(':
		return tLParen
	case ')':
		return tRParen
	case ',':
		return tComma
	case '=':
		return tAssign
	case '.':
		return tDot
	}
	return tIllegal
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// emit appends a token other than tNewline, with its doc comment.
func (lx *lexer) emit(t token) {
	if !lx.lineHasToken {
		t.first = true
		if len(lx.group) > 0 && lx.groupEnd == lx.line-1 {
			t.doc = strings.Join(lx.group, "\n")
		}
		lx.group = nil
	}
	lx.lineHasToken = true
	lx.toks = append(lx.toks, t)
}

// newline appends a tNewline unless the previous token is one (or there is
// none); a trailing comment goes to the tNewline that ends its line.
func (lx *lexer) newline(p Pos, text string) {
	n := len(lx.toks)
	if n == 0 || lx.toks[n-1].kind == tNewline {
		if n > 0 && lx.trailing != "" && lx.toks[n-1].comment == "" {
			lx.toks[n-1].comment = lx.trailing
		}
		lx.trailing = ""
		return
	}
	lx.toks = append(lx.toks, token{kind: tNewline, pos: p, text: text, comment: lx.trailing})
	lx.trailing = ""
}

// comment reads a "//" comment up to the end of the line.
func (lx *lexer) comment() {
	start := lx.i
	for lx.i < len(lx.src) && lx.src[lx.i] != '\n' {
		lx.i++
	}
	if bad := invalidUTF8(lx.src[start:lx.i]); bad >= 0 {
		p := lx.pos()
		p.Col = start + bad - lx.lineStart + 1
		lx.errf(p, "invalid UTF-8 byte "+strconv.Quote(string(lx.src[start+bad:start+bad+1]))+" in a comment")
	}
	text := string(lx.src[start+2 : lx.i])
	text = strings.TrimRight(strings.TrimPrefix(text, " "), " \t\r")
	if lx.lineHasToken {
		lx.trailing = text
		return
	}
	if len(lx.group) == 0 || lx.groupEnd != lx.line-1 {
		lx.group = nil
	}
	lx.group = append(lx.group, text)
	lx.groupEnd = lx.line
}

// tooDeep reports a type nested deeper than maxTypeDepth at p and skips
// the rest of the line as one tIllegal token, so that a hostile file of
// millions of "<" costs neither tokens nor parser recursion.
func (lx *lexer) tooDeep(p Pos) {
	lx.errf(p, "type nested more than "+strconv.Itoa(maxTypeDepth)+" levels deep")
	start := lx.i
	for lx.i < len(lx.src) && lx.src[lx.i] != '\n' {
		lx.i++
	}
	lx.emit(token{kind: tIllegal, pos: p, text: string(lx.src[start:lx.i])})
	lx.angles = 0
}

// invalidUTF8 returns the index of the first byte of b that is not valid
// UTF-8, or -1 if b is valid.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// number reads a decimal or hexadecimal number, or a version major.minor.
func (lx *lexer) number() {
	p, start := lx.pos(), lx.i
	hex := lx.src[lx.i] == '0' && lx.i+1 < len(lx.src) && (lx.src[lx.i+1] == 'x' || lx.src[lx.i+1] == 'X')
	if hex {
		lx.i += 2
		for lx.i < len(lx.src) && isHex(lx.src[lx.i]) {
			lx.i++
		}
	} else {
		lx.scanDigits()
	}
	version := !hex && lx.i+1 < len(lx.src) && lx.src[lx.i] == '.' && isDigit(lx.src[lx.i+1])
	if version {
		lx.i++
		lx.scanDigits()
	}
	// A letter or digit right after a number makes it invalid (e.g. "12ab", "0xfg").
	bad := false
	for lx.i < len(lx.src) && (isLetter(lx.src[lx.i]) || isDigit(lx.src[lx.i])) {
		lx.i++
		bad = true
	}
	text := string(lx.src[start:lx.i])
	switch {
	case bad || hex && len(text) == 2:
		lx.errf(p, "invalid number "+strconv.Quote(text))
	case version:
		major, minor, _ := strings.Cut(text, ".")
		a, err1 := strconv.ParseUint(major, 10, 8)
		b, err2 := strconv.ParseUint(minor, 10, 8)
		if err1 != nil || err2 != nil {
			lx.errf(p, "invalid version "+text+": major and minor must be 0-255")
			break
		}
		lx.emit(token{kind: tVersion, pos: p, text: text, ver: wire.V(uint8(a), uint8(b))})
		return
	default:
		var n uint64
		var err error
		if hex {
			n, err = strconv.ParseUint(text[2:], 16, 64)
		} else {
			n, err = strconv.ParseUint(text, 10, 64)
		}
		if err != nil {
			lx.errf(p, "number "+text+" out of range (the maximum is 2^64-1)")
			break
		}
		lx.emit(token{kind: tInt, pos: p, text: text, num: n})
		return
	}
	lx.emit(token{kind: tIllegal, pos: p, text: text})
}

func (lx *lexer) scanDigits() {
	for lx.i < len(lx.src) && isDigit(lx.src[lx.i]) {
		lx.i++
	}
}

// string reads a double-quoted string with Go escapes.
func (lx *lexer) string() {
	p, start := lx.pos(), lx.i
	lx.i++
	for lx.i < len(lx.src) && lx.src[lx.i] != '"' && lx.src[lx.i] != '\n' {
		if lx.src[lx.i] == '\\' && lx.i+1 < len(lx.src) && lx.src[lx.i+1] != '\n' {
			lx.i++
		}
		lx.i++
	}
	if lx.i >= len(lx.src) || lx.src[lx.i] != '"' {
		lx.errf(p, "string not terminated")
		lx.emit(token{kind: tIllegal, pos: p, text: string(lx.src[start:lx.i])})
		return
	}
	lx.i++
	text := string(lx.src[start:lx.i])
	s, err := strconv.Unquote(text)
	if err != nil {
		lx.errf(p, "invalid string "+text)
		lx.emit(token{kind: tIllegal, pos: p, text: text})
		return
	}
	lx.emit(token{kind: tString, pos: p, text: text, str: s})
}
