#!/usr/bin/env python3
"""Transforms template.yaml (AWS SAM) into the CloudFormation that `sam deploy` would create,
offline, with aws-sam-translator, so cfn-lint can check the generated resources too
(the SubscriptionFilter, SNS subscription, EventInvokeConfig, permissions, schedule rule).

Usage: sam_transform.py TEMPLATE OUTPUT.json
CodeUri is replaced by a placeholder S3 location, as `sam package` would after `sam build`.
"""

import json
import os
import sys

from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# Example values for the parameters without defaults (the transform needs them to resolve
# pseudo-parameters only; conditions stay in the output and cfn-lint evaluates both branches).
PARAMETERS = {
    "LogGroupName": "/var/log/secure",
    "SlackWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf",
}


class NoManagedPolicies:
    """The template names no AWS managed policies, so nothing needs IAM look-ups."""

    def load(self):
        return {}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(source, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    placeholder = "s3://sam-packaged-artifacts/bootstrap.zip"
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = placeholder
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function" and "CodeUri" in resource.get("Properties", {}):
            resource["Properties"]["CodeUri"] = placeholder
    try:
        output = transform(template, PARAMETERS, NoManagedPolicies())
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"SAM transform error: {cause.message}", file=sys.stderr)
        sys.exit(1)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(output, f, indent=1)
    print(f"{source}: SAM transform OK, {len(output.get('Resources', {}))} CloudFormation resources -> {target}")


if __name__ == "__main__":
    main()
