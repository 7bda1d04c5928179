// Example parameters for a production deployment; copy per environment (dev.bicepparam, ...) as needed.
//   az deployment group create -g rg-abusedesk-prod -f infra/bicep/main.bicep -p infra/bicep/main.bicepparam
using 'main.bicep'

param namePrefix = 'abusedesk'
param environmentName = 'prod'
param deploymentStorageContainerName = 'app-package'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param logRetentionInDays = 90

// Object id of the Entra ID group of the abuse team, for read access to reports and cases in the Portal.
// Empty: no ops role assignments are made.
param opsPrincipalId = ''
param opsPrincipalType = 'Group'

param tags = {
  owner: 'abuse-desk'
}
