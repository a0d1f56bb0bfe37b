package info

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// sdkToken is one resource or function token of the Python SDK, split for matching.
type sdkToken struct {
	tok    string // openstack:<module>/<member>:<Name>
	module string
	key    string // the member name, normalised (see normalise and memberKey)
	index  bool   // in the catch-all "index" module
	legacy bool   // a "...Deprecated" member, or one without the usual "get" prefix of a function
}

// Some Terraform name prefixes are spelled out in the SDK's module names.
var moduleAliases = map[string]string{
	"lb": "loadbalancer",
	"fw": "firewall",
	"db": "database",
}

var (
	versionPart = regexp.MustCompile(`^v[0-9]+$`)
	nonAlnum    = regexp.MustCompile(`[^a-z0-9]`)
)

func normalise(s string) string { return nonAlnum.ReplaceAllString(strings.ToLower(s), "") }

func memberKey(member string, function bool) (key string, legacy bool) {
	key = normalise(member)
	if function {
		if strings.HasPrefix(key, "get") {
			key = key[len("get"):]
		} else {
			legacy = true
		}
	}
	if strings.HasSuffix(key, "deprecated") {
		key, legacy = strings.TrimSuffix(key, "deprecated"), true
	}
	return key, legacy
}

func parseTokens(toks []string, function bool) ([]sdkToken, error) {
	out := make([]sdkToken, 0, len(toks))
	for _, tok := range toks {
		parts := strings.Split(tok, ":")
		if len(parts) != 3 || parts[0] != "openstack" {
			return nil, fmt.Errorf("unexpected SDK token %q", tok)
		}
		module, member, ok := strings.Cut(parts[1], "/")
		if !ok {
			return nil, fmt.Errorf("unexpected SDK token %q", tok)
		}
		key, legacy := memberKey(member, function)
		out = append(out, sdkToken{tok: tok, module: module, key: key, index: module == "index", legacy: legacy})
	}
	return out, nil
}

// tfName is a Terraform type name split as openstack_<module>_<body...>[_v<N>].
type tfName struct {
	module, body, version string
}

func splitTFName(name string) tfName {
	parts := strings.Split(strings.TrimPrefix(name, "openstack_"), "_")
	n := tfName{module: parts[0]}
	rest := parts[1:]
	if len(rest) > 0 && versionPart.MatchString(rest[len(rest)-1]) {
		n.version = rest[len(rest)-1]
		rest = rest[:len(rest)-1]
	}
	n.body = strings.Join(rest, "")
	return n
}

func (n tfName) modules() []string {
	if alias, ok := moduleAliases[n.module]; ok {
		return []string{n.module, alias}
	}
	return []string{n.module}
}

// exactKeys: the member keys a Terraform name may have in its own module, and in "index".
func (n tfName) exactKeys() (own, index []string) {
	own = []string{n.body, n.body + n.version, n.module + n.body, n.module + n.body + n.version}
	index = []string{n.module + n.body, n.module + n.body + n.version}
	return own, index
}

// mapping is the result of matching Terraform names against SDK tokens.
type mapping struct {
	tokens    map[string][]string // TF name -> SDK tokens, the preferred one first
	unmatched []string            // TF names with no SDK token (left out of the provider)
	unused    []string            // SDK tokens no TF name maps to
}

// matchTokens maps each Terraform name onto the SDK tokens that name it, in three passes:
//  1. normalised names (module + name, with or without the _v<N> suffix) in the Terraform name's
//     own module, or in "index";
//  2. the same in the module a short Terraform prefix stands for (lb_ -> loadbalancer), for
//     tokens pass 1 left over: openstack_loadbalancer_flavor_v2 keeps getFlavorV2, and
//     openstack_lb_flavor_v2 gets getLbFlavorDeprecated;
//  3. for names still without a token, a small edit distance within the module (the SDK keeps
//     a few historical misspellings: quoteSetV3, getAvailbilityZones) or a suffix
//     (openstack_objectstorage_object_v1 is containerObject); only a unique candidate counts.
func matchTokens(tfNames []string, sdk []sdkToken) mapping {
	m := mapping{tokens: map[string][]string{}}
	found := map[string][]sdkToken{}
	used := map[string]bool{}
	claim := func(name string, t sdkToken) {
		found[name] = append(found[name], t)
		used[t.tok] = true
	}
	for _, name := range tfNames {
		n := splitTFName(name)
		own, index := n.exactKeys()
		for _, t := range sdk {
			if t.index && contains(index, t.key) || !t.index && t.module == n.module && contains(own, t.key) {
				claim(name, t)
			}
		}
	}
	for _, name := range tfNames {
		n := splitTFName(name)
		alias, ok := moduleAliases[n.module]
		if !ok {
			continue
		}
		own, _ := n.exactKeys()
		for _, t := range sdk {
			if !used[t.tok] && t.module == alias && contains(own, t.key) {
				claim(name, t)
			}
		}
	}
	for _, name := range tfNames {
		if len(found[name]) > 0 {
			continue
		}
		n := splitTFName(name)
		var fuzzy []sdkToken
		for _, t := range sdk {
			if used[t.tok] || t.index || !contains(n.modules(), t.module) {
				continue
			}
			if levenshtein(t.key, n.body) <= 2 || levenshtein(t.key, n.body+n.version) <= 2 ||
				len(n.body) >= 5 && (strings.HasSuffix(t.key, n.body) || strings.HasSuffix(t.key, n.body+n.version)) {
				fuzzy = append(fuzzy, t)
			}
		}
		if len(fuzzy) == 1 { // nothing, or not unique: better unmapped than wrong
			claim(name, fuzzy[0])
		}
	}
	claimedBy := map[string]string{}
	for _, name := range tfNames {
		if len(found[name]) == 0 {
			m.unmatched = append(m.unmatched, name)
			continue
		}
		m.tokens[name] = ordered(found[name])
		for _, tok := range m.tokens[name] {
			if other, dup := claimedBy[tok]; dup {
				panic(fmt.Sprintf("SDK token %s matches both %s and %s", tok, other, name))
			}
			claimedBy[tok] = name
		}
	}
	for _, t := range sdk {
		if !used[t.tok] {
			m.unused = append(m.unused, t.tok)
		}
	}
	sort.Strings(m.unmatched)
	sort.Strings(m.unused)
	return m
}

// ordered sorts the tokens found for one TF name: a module's own, current token first.
func ordered(found []sdkToken) []string {
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.index != b.index {
			return !a.index
		}
		if a.legacy != b.legacy {
			return !a.legacy
		}
		return a.tok < b.tok
	})
	out := make([]string, len(found))
	for i, t := range found {
		out[i] = t.tok
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
