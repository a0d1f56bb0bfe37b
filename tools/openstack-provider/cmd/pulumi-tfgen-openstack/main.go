// pulumi-tfgen-openstack writes the Pulumi schema of the govcloud OpenStack provider:
//
//	pulumi-tfgen-openstack schema --skip-docs --skip-examples --out <dir>
//
// Before handing over to tfgen it prints how the Terraform names were mapped onto the SDK's
// tokens, and what was left out, on stderr.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"govcloud.local/tools/openstack-provider/info"
)

func main() {
	prov, r := info.Provider()
	w := os.Stderr
	fmt.Fprintf(w, "tokens from %s: %d resources, %d data sources mapped\n", r.SDKVersion, r.Resources, r.DataSources)
	list := func(what string, items []string) {
		if len(items) > 0 {
			fmt.Fprintf(w, "%s (%d):\n  %s\n", what, len(items), strings.Join(items, "\n  "))
		}
	}
	list("also served under a second (deprecated) SDK token", r.Aliases)
	list("fields given the SDK's name", r.Renamed)
	list("Terraform resources without an SDK token (skipped)", r.UnmatchedResources)
	list("Terraform data sources without an SDK token (skipped)", r.UnmatchedData)
	list("SDK resource tokens without a Terraform resource", r.UnusedResourceTokens)
	list("SDK function tokens without a Terraform data source", r.UnusedFunctions)
	tfgen.Main("openstack", info.Version, prov)
}
