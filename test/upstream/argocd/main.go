// Command argocd runs Argo CD's own ApplicationSet code (github.com/argoproj/argo-cd/v3 at the
// version of the Argo CD CRDs the repository declares) over Argo CD objects.
//
//	argocd FILE...
//
// Every YAML document in the files is decoded strictly (sigs.k8s.io/yaml.UnmarshalStrict: an unknown
// or duplicate field is an error) into that version's type for its kind (Application, ApplicationSet,
// AppProject). Each ApplicationSet is then expanded with the List generator and the template renderer
// the controller uses (applicationset/controllers/template.GenerateApplications with
// generators.NewListGenerator and utils.Render, as the controller's reconcile loop calls them), and
// each generated Application is printed. Output, on stdout, one JSON object:
//
//	{"objects": [{"file", "kind", "name"}...], "applications": [{"applicationSet", "application"}...]}
//
// The first error is printed as `FILE: document N (KIND NAME): reason` on stderr, exit 1.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	log "github.com/sirupsen/logrus"
	yamlv3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
)

type object struct {
	File string `json:"file"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type generated struct {
	ApplicationSet string               `json:"applicationSet"`
	Application    v1alpha1.Application `json:"application"`
}

type output struct {
	Objects      []object    `json:"objects"`
	Applications []generated `json:"applications"`
}

// documents splits a YAML stream into its documents, each re-encoded alone (comments dropped).
func documents(data []byte) ([][]byte, error) {
	decoder := yamlv3.NewDecoder(bytes.NewReader(data))
	var docs [][]byte
	for {
		var node yamlv3.Node
		err := decoder.Decode(&node)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		out, err := yamlv3.Marshal(&node)
		if err != nil {
			return nil, err
		}
		docs = append(docs, out)
	}
}

func run(files []string) (*output, error) {
	out := &output{Objects: []object{}, Applications: []generated{}}
	// The controller logs through logrus; keep stdout for the result.
	log.SetOutput(io.Discard)
	logCtx := log.WithField("program", "argocd")
	listGenerator := map[string]generators.Generator{"List": generators.NewListGenerator()}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		docs, err := documents(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for i, doc := range docs {
			var meta struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
			}
			where := fmt.Sprintf("%s: document %d (%s %s)", file, i+1, meta.Kind, meta.Metadata.Name)
			var target any
			var appSet v1alpha1.ApplicationSet
			switch meta.Kind {
			case "Application":
				target = &v1alpha1.Application{}
			case "ApplicationSet":
				target = &appSet
			case "AppProject":
				target = &v1alpha1.AppProject{}
			default:
				continue
			}
			if err := yaml.UnmarshalStrict(doc, target); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			out.Objects = append(out.Objects, object{File: file, Kind: meta.Kind, Name: meta.Metadata.Name})
			if meta.Kind != "ApplicationSet" {
				continue
			}
			for g, generator := range appSet.Spec.Generators {
				if generator.List == nil {
					return nil, fmt.Errorf("%s: generators[%d] is not a list generator; this program runs the List generator only", where, g)
				}
			}
			apps, _, err := template.GenerateApplications(logCtx, appSet, listGenerator, &utils.Render{}, nil)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			for _, app := range apps {
				// Each generated Application must itself decode strictly, as the API server will store it.
				encoded, err := json.Marshal(app)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				if err := yaml.UnmarshalStrict(encoded, &v1alpha1.Application{}); err != nil {
					return nil, fmt.Errorf("%s: generated Application %s: %w", where, app.Name, err)
				}
				out.Applications = append(out.Applications, generated{ApplicationSet: appSet.Name, Application: app})
			}
		}
	}
	return out, nil
}

func main() {
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		fmt.Fprintln(os.Stderr, "usage: argocd FILE...")
		os.Exit(2)
	}
	out, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
