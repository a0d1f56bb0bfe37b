// Package info describes the govcloud build of the Pulumi OpenStack provider: the Terraform
// OpenStack provider (terraform-provider-openstack v3) run through pulumi-terraform-bridge, with
// resource and function tokens taken from the pulumi-openstack Python SDK that govcloud
// programs use (tokens.json, written by ../sdk_tokens.py), so that SDK talks to this provider.
package info

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-provider-openstack/terraform-provider-openstack/v3/openstack"
)

//go:embed tokens.json
var tokensJSON []byte

// Version is stamped at build time (-ldflags -X); the plugin is registered as the SDK's version.
var Version = "0.0.0-dev"

type sdkFile struct {
	SDKVersion    string              `json:"sdk_version"`
	PluginVersion string              `json:"plugin_version"`
	Resources     map[string][]string `json:"resources"`
	Functions     map[string][]string `json:"functions"`
}

// Report says how the Terraform names were mapped; tfgen prints it.
type Report struct {
	SDKVersion                            string
	Resources, DataSources                int
	Aliases                               []string // extra SDK tokens served by a cloned TF name
	Renamed                               []string // top-level TF fields given the SDK's name
	UnmatchedResources, UnmatchedData     []string // TF names left out (no SDK token)
	UnusedResourceTokens, UnusedFunctions []string // SDK tokens this provider does not serve
}

func keys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func names(m shim.ResourceMap) []string {
	var out []string
	m.Range(func(key string, _ shim.Resource) bool {
		out = append(out, key)
		return true
	})
	sort.Strings(out)
	return out
}

// Provider returns the bridge's description of the provider, and how it was mapped.
func Provider() (tfbridge.ProviderInfo, Report) {
	var sdk sdkFile
	if err := json.Unmarshal(tokensJSON, &sdk); err != nil {
		panic(fmt.Sprintf("tokens.json: %v", err))
	}
	resTokens, err := parseTokens(keys(sdk.Resources), false)
	if err != nil {
		panic(err)
	}
	fnTokens, err := parseTokens(keys(sdk.Functions), true)
	if err != nil {
		panic(err)
	}

	p := shimv2.NewProvider(openstack.Provider())
	prov := tfbridge.ProviderInfo{
		P:                       p,
		Name:                    "openstack",
		Version:                 Version,
		DisplayName:             "OpenStack",
		Description:             "OpenStack resources (govcloud bridge build of terraform-provider-openstack).",
		Keywords:                []string{"openstack", "category/infrastructure"},
		License:                 "Apache-2.0",
		GitHubOrg:               "terraform-provider-openstack",
		Repository:              "",
		TFProviderModuleVersion: "v3",
		Resources:               map[string]*tfbridge.ResourceInfo{},
		DataSources:             map[string]*tfbridge.DataSourceInfo{},
	}
	report := Report{SDKVersion: sdk.SDKVersion}

	res := matchTokens(names(p.ResourcesMap()), resTokens)
	report.UnmatchedResources, report.UnusedResourceTokens = res.unmatched, res.unused
	prov.IgnoreMappings = append(prov.IgnoreMappings, res.unmatched...)
	for _, tf := range keys(res.tokens) {
		toks := res.tokens[tf]
		primary := tokens.Type(toks[0])
		fields := renamedFields(p.ResourcesMap().Get(tf), sdk.Resources[toks[0]])
		prov.Resources[tf] = &tfbridge.ResourceInfo{Tok: primary, Fields: fields}
		for field, f := range fields {
			report.Renamed = append(report.Renamed, fmt.Sprintf("%s.%s -> %s", tf, field, f.Name))
		}
		report.Resources++
		for i, extra := range toks[1:] {
			// The SDK has the same Terraform resource under a second token too: serve it from a
			// clone of the resource, deprecated in favour of the first, which aliases it.
			clone := fmt.Sprintf("%s_legacy%d", tf, i+1)
			if err := shim.CloneResource(p.ResourcesMap(), tf, clone); err != nil {
				panic(err)
			}
			legacy := extra
			prov.Resources[tf].Aliases = append(prov.Resources[tf].Aliases, tfbridge.AliasInfo{Type: &legacy})
			prov.Resources[clone] = &tfbridge.ResourceInfo{
				Tok:                tokens.Type(extra),
				Fields:             renamedFields(p.ResourcesMap().Get(tf), sdk.Resources[extra]),
				DeprecationMessage: fmt.Sprintf("%s is deprecated: use %s", memberName(extra), memberName(toks[0])),
			}
			report.Aliases = append(report.Aliases, fmt.Sprintf("%s -> %s (also %s)", tf, toks[0], extra))
		}
	}

	data := matchTokens(names(p.DataSourcesMap()), fnTokens)
	report.UnmatchedData, report.UnusedFunctions = data.unmatched, data.unused
	prov.IgnoreMappings = append(prov.IgnoreMappings, data.unmatched...)
	for _, tf := range keys(data.tokens) {
		toks := data.tokens[tf]
		prov.DataSources[tf] = &tfbridge.DataSourceInfo{Tok: tokens.ModuleMember(toks[0])}
		report.DataSources++
		for i, extra := range toks[1:] {
			clone := fmt.Sprintf("%s_legacy%d", tf, i+1)
			if err := shim.CloneResource(p.DataSourcesMap(), tf, clone); err != nil {
				panic(err)
			}
			prov.DataSources[clone] = &tfbridge.DataSourceInfo{
				Tok:                tokens.ModuleMember(extra),
				DeprecationMessage: fmt.Sprintf("%s is deprecated: use %s", memberName(extra), memberName(toks[0])),
			}
			report.Aliases = append(report.Aliases, fmt.Sprintf("%s -> %s (also %s)", tf, toks[0], extra))
		}
	}
	return prov, report
}

// memberName renders openstack:mod/x:Name as openstack.mod.Name (index omitted).
func memberName(tok string) string {
	parts := strings.Split(tok, ":")
	mod, _, _ := strings.Cut(parts[1], "/")
	if mod == "index" {
		return "openstack." + parts[2]
	}
	return "openstack." + mod + "." + parts[2]
}

// renamedFields gives a Terraform field the SDK's name where the default (camelCase) one is not
// what the SDK sends: an SDK input no field matches whose name ends in the field's name
// (openstack_orchestration_stack_v1's "outputs" is "StackOutputs" in the SDK, since a property
// called outputs would collide with the SDK's own). Only a unique candidate counts.
func renamedFields(res shim.Resource, sdkInputs []string) map[string]*tfbridge.SchemaInfo {
	if res == nil || len(sdkInputs) == 0 {
		return nil
	}
	byKey := map[string]bool{}
	for _, in := range sdkInputs {
		byKey[normalise(in)] = true
	}
	var orphans []string // TF fields the SDK has no input for under the default name
	claimed := map[string]bool{}
	res.Schema().Range(func(field string, _ shim.Schema) bool {
		if k := normalise(field); byKey[k] {
			claimed[k] = true
		} else {
			orphans = append(orphans, field)
		}
		return true
	})
	var out map[string]*tfbridge.SchemaInfo
	for _, field := range orphans {
		var match []string
		for _, in := range sdkInputs {
			if k := normalise(in); !claimed[k] && strings.HasSuffix(k, normalise(field)) {
				match = append(match, in)
			}
		}
		if len(match) == 1 {
			if out == nil {
				out = map[string]*tfbridge.SchemaInfo{}
			}
			out[field] = &tfbridge.SchemaInfo{Name: match[0]}
			claimed[normalise(match[0])] = true
		}
	}
	return out
}
