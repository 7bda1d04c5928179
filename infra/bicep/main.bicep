// AbuseDesk infrastructure: the Azure Functions custom-handler app on a Flex Consumption plan, its storage
// (raw reports, queues, case tables, deployment packages), monitoring and the managed identity that ties
// them together. No shared keys anywhere: every data-plane call uses Entra ID through the identity.
//
// Seams for the next issue (ACS email over the SMTP relay, Key Vault, Event Grid blob subscription,
// workbook, alerts): add the resources in their own section below, add their settings to a new
// `*AppSettings` variable and union it into `appSettings`, and add role assignments for `identity`.
// The site already uses `identity` for Key Vault references (keyVaultReferenceIdentity).

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------

@description('Azure region for every resource. Must be a region that offers the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Short name of the application, lowercase letters and digits; the start of every resource name.')
@minLength(2)
@maxLength(10)
param namePrefix string = 'abusedesk'

@description('Environment name, lowercase letters and digits (for example dev, test, prod).')
@minLength(2)
@maxLength(8)
param environmentName string

@description('Blob container in the app\'s storage account that holds the Flex Consumption deployment package.')
@minLength(3)
@maxLength(63)
param deploymentStorageContainerName string = 'app-package'

@description('Upper bound of instances the Flex Consumption plan may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days the Log Analytics workspace (and so Application Insights) keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

@description('Optional object id of the ops group (or user). When set it can read blobs, queues and tables (the raw reports and the case rows) in the Azure Portal, which needs Entra ID because shared keys are disabled.')
param opsPrincipalId string = ''

@description('Principal type of opsPrincipalId.')
@allowed([
  'Group'
  'User'
  'ServicePrincipal'
])
param opsPrincipalType string = 'Group'

@description('Tags added to every resource.')
param tags object = {}

// ---------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, namePrefix, environmentName))
var baseName = toLower('${namePrefix}-${environmentName}')
var allTags = union(
  {
    application: 'abusedesk'
    environment: environmentName
  },
  tags
)

// Storage account names: 3-24 lowercase letters and digits, globally unique (uniqueString is 13 chars).
var storageAccountName = 'st${take(toLower(replace('${namePrefix}${environmentName}', '-', '')), 9)}${resourceToken}'
var logAnalyticsName = 'log-${baseName}'
var appInsightsName = 'appi-${baseName}'
var identityName = 'id-${baseName}'
var planName = 'plan-${baseName}'
var functionAppName = 'func-${baseName}-${take(resourceToken, 6)}'

// Containers and queues the app uses (it also creates them at start, so this is belt and braces; tables
// are created by the app). Trigger poison queues (<queue>-poison) are created by the Functions host.
var appBlobContainers = [
  'reports'
]
var appQueues = [
  'reports-parse'
  'case-workflow'
  'email-outbox'
  'suspensions'
]

// Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// The app identity's data roles on the storage account: the Functions host (AzureWebJobsStorage: blob
// leases, queue triggers, deployment package) and the app itself (reports, queues, case tables).
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]
var opsStorageRoles = [
  roles.storageBlobDataReader
  roles.storageQueueDataReader
  roles.storageTableDataReader
]

// ---------------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: allTags
}

// ---------------------------------------------------------------------------------------------------
// Storage: raw reports (evidence), queues, case tables, deployment package
// ---------------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: allTags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Raw reports are evidence: a deleted blob or container can be recovered for a week.
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentStorageContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource appContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for name in appBlobContainers: {
    parent: blobService
    name: name
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource appQueueResources 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for name in appQueues: {
    parent: queueService
    name: name
  }
]

resource appStorageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appStorageRoles: {
    name: guid(storage.id, identity.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource opsStorageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in opsStorageRoles: if (!empty(opsPrincipalId)) {
    name: guid(storage.id, opsPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: opsPrincipalId
      principalType: opsPrincipalType
    }
  }
]

// ---------------------------------------------------------------------------------------------------
// Monitoring: Log Analytics + workspace-based Application Insights (Entra ID ingestion only)
// ---------------------------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: allTags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: allTags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

resource appInsightsPublisherRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.monitoringMetricsPublisher
    )
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------------
// Function app: custom handler on Flex Consumption
// ---------------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: allTags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: allTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentStorageContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }
  dependsOn: [
    deploymentContainer
  ]
}

// Publishing uses Entra ID (az CLI / Core Tools with a token); no basic-auth publishing credentials.
resource ftpPublishingPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishingPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// App settings, in groups so later issues add a group rather than edit one. Flex Consumption takes the
// runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and
// WEBSITE_RUN_FROM_PACKAGE must not be set.
var hostStorageAppSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
}
var monitoringAppSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
}
// The app's own settings (bound to its options as AbuseDesk:Storage:*); it authenticates with
// DefaultAzureCredential using the managed identity's client id.
var abuseDeskAppSettings = {
  AbuseDesk__Storage__AccountName: storage.name
  AbuseDesk__Storage__ClientId: identity.properties.clientId
}
var appSettings = union(hostStorageAppSettings, monitoringAppSettings, abuseDeskAppSettings)

resource functionAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
  // The host starts talking to storage and Application Insights as soon as it has these settings.
  dependsOn: [
    appStorageRoleAssignments
    appInsightsPublisherRole
  ]
}

// ---------------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------------

output functionAppName string = functionApp.name
output functionAppDefaultHostName string = functionApp.properties.defaultHostName
output storageAccountName string = storage.name
output managedIdentityClientId string = identity.properties.clientId
output managedIdentityPrincipalId string = identity.properties.principalId
output applicationInsightsName string = appInsights.name
output logAnalyticsWorkspaceName string = logAnalytics.name
