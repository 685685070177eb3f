// Command grafana decodes the stack's dashboards and alerting files strictly into the Grafana
// Foundation SDK's Go types (github.com/grafana/grafana-foundation-sdk/go, Apache-2.0; the same
// schemas the TypeScript SDK that writes them is generated from): a key the schema does not know, a
// value of the wrong type or a missing required field is an error.
//
//	grafana dashboard FILE...  each FILE a dashboard JSON model (dashboard.Dashboard)
//	grafana alerting FILE...   each FILE an alerting provisioning file (YAML): every rule of every
//	                           group (alerting.Rule) and every contact point receiver (alerting.ContactPoint)
//
// Prints nothing and exits 0 when every file decodes; else the file, the object and the SDK's path
// and message on stderr (first line: `FILE: WHERE: PATH: MESSAGE`), exit 1. Usage errors exit 2.
//
// The SDK's alerting types are the provisioning HTTP API's shapes, not the file's: a rule there
// carries its group's name, org and folder, a contact point is one receiver with the point's name.
// So each file rule is decoded with its group's `name` as ruleGroup, `orgId` (default 1) as orgID
// and `folder` as folderUID, as Grafana fills them in when it reads the file; each receiver with its
// point's name. Notification policies are left out: the API's `matchers` are objects where the
// file's are strings, so the shapes differ in a way no renaming bridges
// (tools/validate/grafana-provisioning.ts judges them against the documentation instead).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/alerting"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"sigs.k8s.io/yaml"
)

type alertingFile struct {
	Groups []struct {
		Name   string            `json:"name"`
		OrgID  *int64            `json:"orgId"`
		Folder string            `json:"folder"`
		Rules  []json.RawMessage `json:"rules"`
	} `json:"groups"`
	ContactPoints []struct {
		Name      string                       `json:"name"`
		Receivers []map[string]json.RawMessage `json:"receivers"`
	} `json:"contactPoints"`
}

// failed is the SDK's strict decoders' verdict: they return their error list as an `error` even
// when it is empty (a nil cog.BuildErrors in a non-nil interface), so an empty list means success.
func failed(err error) bool {
	var list cog.BuildErrors
	if errors.As(err, &list) {
		return len(list) > 0
	}
	return err != nil
}

// firstLine keeps the SDK's first error: one line naming the path.
func firstLine(err error) string {
	return strings.SplitN(err.Error(), "\n", 2)[0]
}

func checkDashboard(source []byte) error {
	var d dashboard.Dashboard
	if err := d.UnmarshalJSONStrict(source); failed(err) {
		return fmt.Errorf("dashboard: %s", firstLine(err))
	}
	return nil
}

func checkAlerting(source []byte) error {
	raw, err := yaml.YAMLToJSON(source)
	if err != nil {
		return fmt.Errorf("not YAML: %w", err)
	}
	var file alertingFile
	if err := json.Unmarshal(raw, &file); err != nil {
		return fmt.Errorf("not an alerting file: %w", err)
	}
	for i, group := range file.Groups {
		org := int64(1)
		if group.OrgID != nil {
			org = *group.OrgID
		}
		for j, rawRule := range group.Rules {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(rawRule, &fields); err != nil {
				return fmt.Errorf("groups[%d].rules[%d]: %w", i, j, err)
			}
			fields["ruleGroup"], _ = json.Marshal(group.Name)
			fields["orgID"], _ = json.Marshal(org)
			fields["folderUID"], _ = json.Marshal(group.Folder)
			withGroup, _ := json.Marshal(fields)
			var rule alerting.Rule
			if err := rule.UnmarshalJSONStrict(withGroup); failed(err) {
				return fmt.Errorf("groups[%d].rules[%d] (rule %s): %s", i, j, string(fields["uid"]), firstLine(err))
			}
		}
	}
	for i, point := range file.ContactPoints {
		for j, receiver := range point.Receivers {
			receiver["name"], _ = json.Marshal(point.Name)
			withName, _ := json.Marshal(receiver)
			var contact alerting.ContactPoint
			if err := contact.UnmarshalJSONStrict(withName); failed(err) {
				return fmt.Errorf("contactPoints[%d].receivers[%d]: %s", i, j, firstLine(err))
			}
		}
	}
	return nil
}

func main() {
	if len(os.Args) < 3 || (os.Args[1] != "dashboard" && os.Args[1] != "alerting") {
		fmt.Fprintln(os.Stderr, "usage: grafana dashboard|alerting FILE...")
		os.Exit(2)
	}
	// Panel and data query variants (timeseries, logs, loki, expr, …) decode through the registry.
	plugins.RegisterDefaultPlugins()
	check := checkDashboard
	if os.Args[1] == "alerting" {
		check = checkAlerting
	}
	for _, name := range os.Args[2:] {
		source, err := os.ReadFile(name)
		if err == nil {
			err = check(source)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %s\n", name, err)
			os.Exit(1)
		}
	}
}
