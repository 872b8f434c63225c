#!/usr/bin/env bash
# Deploy the one template.yaml to LocalStack (needs Docker, LocalStack running, aws-sam-cli-local and the
# AWS CLI), publish web/, seed the test merchant and print the API URL for `make e2e BASE_URL=...`.
# Nothing here differs from an AWS deploy but the endpoint: the functions' boto3 clients follow
# AWS_ENDPOINT_URL, which LocalStack sets inside its Lambdas.
set -euo pipefail
cd "$(dirname "$0")/../.."

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
endpoint=${LOCALSTACK_ENDPOINT:-http://localhost:4566}
stack=${STACK_NAME:-paygate}
admin_key=${PAYGATE_ADMIN_KEY:-padm_local_admin_key}
paygate=${PAYGATE:-.venv/bin/paygate}  # make localstack-deploy installs it
aws_local() { aws --endpoint-url "$endpoint" "$@"; }

step() { printf '\n==> %s\n' "$*"; }

step "build (samlocal build: the layer from layers/paygate/requirements.txt, one zip per function)"
samlocal build

step "deploy stack $stack (samconfig.toml [localstack] profile, test mode)"
# paygate deploy-watch: a progress bar over the stack's CloudFormation events; samlocal's own output
# goes to build/deploy.log, printed if the deploy fails
"$paygate" deploy-watch --stack-name "$stack" --endpoint-url "$endpoint" --log build/deploy.log -- \
  samlocal deploy --config-env localstack --stack-name "$stack" --no-confirm-changeset \
  --parameter-overrides \
    StageName=v1 LogLevel=DEBUG TestMode=true WebhookRetryIntervalsTest=true \
    "PlatformAdminKeyHash=$(printf %s "$admin_key" | sha256sum | cut -d' ' -f1)" \
    "SessionSigningKey=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"

output() {
  aws_local cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

step "publish web/ to the bucket (the demo shop is a merchant's site: not uploaded)"
aws_local s3 sync web/ "s3://$(output WebBucketName)/" --exclude 'demo-shop/*'

step "seed the documented test merchant"
aws_local lambda invoke --function-name "$stack-SeedTestMerchant" /dev/stdout

api_url=$(output ApiUrl)
# LocalStack serves API Gateway stages under its own host name
api_id=$(echo "$api_url" | sed -E 's#https://([^.]+)\.execute-api.*#\1#')
base="http://$api_id.execute-api.localhost.localstack.cloud:4566/v1"
step "done"
echo "API      $base/api/v1/health"
echo "e2e:     make e2e BASE_URL=$base"
