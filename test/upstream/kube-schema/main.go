// Command kube-schema prints, as JSON, the facts drift and the overlay patches need about every
// built-in kind's fields, read from the Kubernetes API types themselves (k8s.io/api and the
// apiextensions / apiregistration groups, at the module versions in go.mod):
//   - Go pointer fields (by reflection): a pointer keeps false, 0 and "" as values, where a
//     non-pointer field cannot tell its zero from absent (encoding/json, protobuf storage);
//   - for each list: its server-side apply type and keys as the API server derives them
//     (x-kubernetes-list-type / -list-map-keys, else the patch strategy: k8s.io/kube-openapi
//     pkg/schemaconv getListElementRelationship), the defaults of its keys, and its
//     strategic-merge patch merge key and strategy (x-kubernetes-patch-merge-key / -strategy),
//     all from the OpenAPI definitions the kube-apiserver serves (k8s.io/kubernetes
//     pkg/generated/openapi).
//
// Output: {"source": …, "kinds": {"apps/v1/Deployment": "k8s.io/api/apps/v1.Deployment", …},
// "types": {"k8s.io/api/core/v1.Container": {"ports": {…}, …}, …}}; a type lists only its fields
// that are pointers, lists, maps, byte strings or structs. Keys sorted, so the bytes are stable.
//
// Regenerate tools/kube/api-fields.json with:
//
//	cd test/upstream/kube-schema && go run . > ../../../tools/kube/api-fields.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
	generated "k8s.io/kubernetes/pkg/generated/openapi"
)

// Field is what the table says about one field of a struct type.
type Field struct {
	// Type is the struct type of the field, of its list items or of its map values.
	Type string `json:"type,omitempty"`
	// Pointer: a Go pointer (a zero value is a value, not absent).
	Pointer bool `json:"pointer,omitempty"`
	// Map: a Go map (its keys are names, its values of Type or scalars).
	Map bool `json:"map,omitempty"`
	// Bytes: a []byte, written as base64 text.
	Bytes bool `json:"bytes,omitempty"`
	// List is the server-side apply list type of a slice: atomic, set or map.
	List string `json:"list,omitempty"`
	// ListMapKeys are the keys of a list of type map.
	ListMapKeys []string `json:"listMapKeys,omitempty"`
	// KeyDefaults are the schema defaults of those keys (a ContainerPort's protocol is TCP).
	KeyDefaults map[string]any `json:"keyDefaults,omitempty"`
	// PatchMergeKey and PatchStrategy are the strategic-merge patch facts of the list.
	PatchMergeKey string `json:"patchMergeKey,omitempty"`
	PatchStrategy string `json:"patchStrategy,omitempty"`
}

type table struct {
	Source string                      `json:"source"`
	Kinds  map[string]string           `json:"kinds"`
	Types  map[string]map[string]Field `json:"types"`
}

var marshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

func typeName(t reflect.Type) string { return t.PkgPath() + "." + t.Name() }

// isScalarStruct: a struct the API writes as one JSON value (Time, Quantity, IntOrString, RawExtension, …).
func isScalarStruct(t reflect.Type) bool {
	return t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler)
}

type builder struct {
	defs  map[string]common.OpenAPIDefinition
	types map[string]map[string]Field
}

func (b *builder) property(owner reflect.Type, name string) (spec.Schema, bool) {
	def, ok := b.defs[typeName(owner)]
	if !ok {
		return spec.Schema{}, false
	}
	prop, ok := def.Schema.Properties[name]
	return prop, ok
}

func extension(s spec.Schema, key string) (string, bool) {
	v, ok := s.Extensions[key]
	if !ok {
		return "", false
	}
	str, ok := v.(string)
	return str, ok
}

// listFacts fills the list facts of a slice field from its OpenAPI property, deduced as the API server's schema converter does.
func (b *builder) listFacts(f *Field, owner reflect.Type, name string, item reflect.Type) {
	f.List = "atomic"
	prop, ok := b.property(owner, name)
	if !ok {
		return
	}
	f.PatchMergeKey, _ = extension(prop, "x-kubernetes-patch-merge-key")
	f.PatchStrategy, _ = extension(prop, "x-kubernetes-patch-strategy")
	if listType, ok := extension(prop, "x-kubernetes-list-type"); ok {
		f.List = listType
		if keys, ok := prop.Extensions["x-kubernetes-list-map-keys"].([]any); ok {
			for _, key := range keys {
				f.ListMapKeys = append(f.ListMapKeys, fmt.Sprint(key))
			}
		}
	} else if f.PatchStrategy == "merge" || f.PatchStrategy == "merge,retainKeys" {
		if f.PatchMergeKey != "" {
			f.List, f.ListMapKeys = "map", []string{f.PatchMergeKey}
		} else {
			f.List = "set"
		}
	}
	if item.Kind() == reflect.Struct {
		for _, key := range f.ListMapKeys {
			if def, ok := b.defs[typeName(item)]; ok {
				if d := def.Schema.Properties[key].Default; d != nil {
					if f.KeyDefaults == nil {
						f.KeyDefaults = map[string]any{}
					}
					f.KeyDefaults[key] = d
				}
			}
		}
	}
}

// visit records a struct type's fields and the struct types they reach.
func (b *builder) visit(t reflect.Type) {
	name := typeName(t)
	if _, done := b.types[name]; done {
		return
	}
	fields := map[string]Field{}
	b.types[name] = fields
	b.fields(t, t, fields)
}

func (b *builder) fields(owner, t reflect.Type, fields map[string]Field) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		jsonName, options, _ := strings.Cut(tag, ",")
		if jsonName == "-" || !sf.IsExported() {
			continue
		}
		if sf.Anonymous && (jsonName == "" || strings.Contains(options, "inline")) {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			b.fields(ft, ft, fields)
			continue
		}
		if jsonName == "" {
			jsonName = sf.Name
		}
		var f Field
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			f.Pointer = true
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Uint8:
			f.Bytes = true
		case ft.Kind() == reflect.Slice:
			item := ft.Elem()
			if item.Kind() == reflect.Pointer {
				item = item.Elem()
			}
			b.listFacts(&f, owner, jsonName, item)
			f.Type = b.structType(item)
		case ft.Kind() == reflect.Map:
			f.Map = true
			value := ft.Elem()
			if value.Kind() == reflect.Pointer {
				value = value.Elem()
			}
			if value.Kind() == reflect.Slice && value.Elem().Kind() == reflect.Uint8 {
				f.Bytes = true
			}
			f.Type = b.structType(value)
		case ft.Kind() == reflect.Struct:
			f.Type = b.structType(ft)
		}
		if f.isZero() {
			continue // a plain scalar: its zero is the same as absent
		}
		fields[jsonName] = f
	}
}

func (f Field) isZero() bool { return reflect.ValueOf(f).IsZero() }

func (b *builder) structType(t reflect.Type) string {
	if t.Kind() != reflect.Struct || isScalarStruct(t) {
		return ""
	}
	b.visit(t)
	return typeName(t)
}

func moduleVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var out []string
	for _, dep := range info.Deps {
		switch dep.Path {
		case "k8s.io/api", "k8s.io/apiextensions-apiserver", "k8s.io/kube-aggregator", "k8s.io/kubernetes", "k8s.io/kube-openapi":
			version := dep.Version
			if dep.Replace != nil {
				version = dep.Replace.Version
			}
			out = append(out, dep.Path+" "+version)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func main() {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{scheme.AddToScheme, apiextensionsv1.AddToScheme, apiregistrationv1.AddToScheme} {
		if err := add(s); err != nil {
			fmt.Fprintln(os.Stderr, "kube-schema:", err)
			os.Exit(2)
		}
	}
	b := &builder{defs: generated.GetOpenAPIDefinitions(func(path string) spec.Ref { return spec.MustCreateRef(path) }), types: map[string]map[string]Field{}}
	out := table{Source: moduleVersions(), Kinds: map[string]string{}, Types: b.types}
	for gvk, t := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") || t.Kind() != reflect.Struct {
			continue
		}
		if _, ok := t.FieldByName("ObjectMeta"); !ok {
			continue // options and status types, not stored objects
		}
		out.Kinds[gvk.GroupVersion().String()+"/"+gvk.Kind] = b.structType(t)
	}
	encoded, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube-schema:", err)
		os.Exit(2)
	}
	os.Stdout.Write(append(encoded, '\n'))
}
