// pulumi-resource-openstack is the govcloud OpenStack resource provider: Terraform's OpenStack
// provider served over Pulumi's provider protocol by pulumi-terraform-bridge. schema.json is
// generated beside this file by pulumi-tfgen-openstack before the build (scripts/engine.sh).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"govcloud.local/tools/openstack-provider/info"
)

//go:embed schema.json
var schema []byte

func main() {
	prov, _ := info.Provider()
	tfbridge.Main("openstack", info.Version, prov, schema)
}
