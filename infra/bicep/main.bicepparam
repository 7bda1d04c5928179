// Example parameters for a production deployment; copy per environment (dev.bicepparam, ...) as needed.
// Secrets come from the environment of the shell that runs the deployment (docs/deploy.md):
//   ABUSEDESK_SMTP_PASSWORD=... ABUSEDESK_TOKEN_KEY=... ABUSEDESK_OPS_KEY=... \
//   az deployment group create -g rg-abusedesk-prod -f infra/bicep/main.bicep -p infra/bicep/main.bicepparam
// An unset variable leaves the secret in Key Vault as it is.
using 'main.bicep'

param namePrefix = 'abusedesk'
param environmentName = 'prod'
param deploymentStorageContainerName = 'app-package'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param logRetentionInDays = 90
param rawReportRetentionDays = 180

// Object id of the Entra ID group of the abuse team, for read access to reports and cases in the Portal.
// Empty: no ops role assignments are made.
param opsPrincipalId = ''
param opsPrincipalType = 'Group'
param opsAlertEmail = 'abuse-ops@example.net'

// Mail: customers answer to the provider's abuse mailbox; ACS sends from abuse@<guid>.azurecomm.net.
param abuseMailbox = 'abuse@example.net'
param emailDataLocation = 'Europe'
param emailSenderUsername = 'abuse'
param emailSenderDisplayName = 'Abuse Desk'

// The Entra app behind SMTP AUTH (docs/deploy.md, "Mail"): its client id and its service principal's object id.
param smtpEntraApplicationId = readEnvironmentVariable('ABUSEDESK_SMTP_APP_ID', '')
param smtpServicePrincipalObjectId = readEnvironmentVariable('ABUSEDESK_SMTP_SP_OBJECT_ID', '')
param smtpPassword = readEnvironmentVariable('ABUSEDESK_SMTP_PASSWORD', '')

// Link-signing keys: rotate by adding an id, making it active and passing its key (docs/deploy.md).
param tokenKeyIds = [
  'k1'
]
param activeTokenKeyId = 'k1'
param tokenSigningKey = readEnvironmentVariable('ABUSEDESK_TOKEN_KEY', '')
param opsKey = readEnvironmentVariable('ABUSEDESK_OPS_KEY', '')

// Second step, after the first publish: subscribe the blob trigger to Event Grid.
param blobEventSubscription = bool(readEnvironmentVariable('ABUSEDESK_BLOB_EVENTS', 'false'))

param tags = {
  owner: 'abuse-desk'
}
