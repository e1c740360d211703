package everything

import (
	"errors"
	"strings"
)

var (
	errNotAbsolute = errors.New("store path is not absolute")
	errEnvKey      = errors.New("empty environment variable name")
)

// Validate reports whether p is an absolute path.
func (p StorePath) Validate() error {
	if !strings.HasPrefix(string(p), "/") {
		return errNotAbsolute
	}
	return nil
}

// Validate reports whether every variable of e has a name.
func (e Env) Validate() error {
	if _, ok := e[""]; ok {
		return errEnvKey
	}
	return nil
}

var errEmptyToken = errors.New("empty token")

// Validate reports whether t is not empty.
func (t Token) Validate() error {
	if len(t) == 0 {
		return errEmptyToken
	}
	return nil
}
