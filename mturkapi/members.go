package mturkapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// exactMembers returns body with every object member dropped whose name is not exactly one
// of the names the input type t declares, at every depth. encoding/json matches member
// names case-insensitively, so {"subject": …} would fill Subject; AWS services match them
// exactly, and a member whose case differs is just an unknown member, ignored. On anything
// that is not valid JSON of the expected shape it returns body unchanged: the decoder that
// runs next reports the error.
func exactMembers(body []byte, t reflect.Type) []byte {
	out, changed := keepExact(body, t)
	if !changed {
		return body
	}
	return out
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// keepExact filters raw for type t and says whether it dropped anything.
func keepExact(raw []byte, t reflect.Type) ([]byte, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return raw, false // the type reads its own JSON
	}
	trimmed := bytes.TrimSpace(raw)
	switch {
	case t.Kind() == reflect.Struct && len(trimmed) > 0 && trimmed[0] == '{':
		fields := memberTypes(t)
		var members map[string]json.RawMessage
		if json.Unmarshal(trimmed, &members) != nil {
			return raw, false
		}
		changed := false
		for name, v := range members {
			ft, ok := fields[name]
			if !ok {
				delete(members, name)
				changed = true
				continue
			}
			if nv, ch := keepExact(v, ft); ch {
				members[name], changed = nv, true
			}
		}
		if !changed {
			return raw, false
		}
		return marshalRaw(members), true
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && len(trimmed) > 0 && trimmed[0] == '[':
		var items []json.RawMessage
		if json.Unmarshal(trimmed, &items) != nil {
			return raw, false
		}
		changed := false
		for i, v := range items {
			if nv, ch := keepExact(v, t.Elem()); ch {
				items[i], changed = nv, true
			}
		}
		if !changed {
			return raw, false
		}
		return marshalRaw(items), true
	}
	return raw, false
}

// marshalRaw re-encodes already valid JSON pieces without HTML escaping, so strings reach the
// decoder as the client wrote them.
func marshalRaw(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("mturkapi: re-encoding valid JSON: " + err.Error()) // the pieces came from json.Unmarshal
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// memberTypes names the members encoding/json would fill in struct t, exactly as spelled,
// with their types: exported fields by tag name or field name, embedded structs without a
// tag name flattened, "-" skipped.
func memberTypes(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, typ := range memberTypes(ft) {
					if _, shadowed := m[n]; !shadowed {
						m[n] = typ
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = ft
	}
	return m
}
