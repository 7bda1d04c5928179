// AbuseDesk infrastructure: the Azure Functions app (.NET isolated worker, Durable Functions on the Azure
// Storage provider) on a Flex Consumption plan, its storage (raw reports, queues, case tables, the Durable
// task hub, deployment packages), mail through Azure Communication Services'
// SMTP relay, secrets in Key Vault, Event Grid for reports dropped as blobs, monitoring, alerts and the
// abuse-desk workbook, and the managed identity that ties them together. No shared keys anywhere: every
// data-plane call uses Entra ID through the identity, and every secret the app reads is a Key Vault
// reference resolved with that identity.
//
// Each capability has its own section, its own `*AppSettings` group (unioned into `appSettings`) and its
// own role assignments. docs/deploy.md has the commands, including the second step that subscribes the
// blob trigger to Event Grid once the code is published.

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

// ---- mail (Azure Communication Services Email, SMTP relay) -------------------------------------------

@description('Where ACS stores email data at rest (a geography, not a region), e.g. Europe, United States, UK.')
param emailDataLocation string = 'Europe'

@description('Local part of the sender address on the Azure-managed domain (<senderUsername>@<guid>.azurecomm.net).')
@minLength(1)
@maxLength(64)
param emailSenderUsername string = 'abuse'

@description('Display name of the sender.')
param emailSenderDisplayName string = 'Abuse Desk'

@description('The provider\'s real abuse mailbox: Reply-To of every mail (the Azure-managed domain receives no mail).')
param abuseMailbox string

@description('SMTP relay host of Azure Communication Services.')
param smtpHost string = 'smtp.azurecomm.net'

@description('SMTP relay port (587 with STARTTLS).')
param smtpPort int = 587

@description('Application (client) id of the Entra ID app that authenticates to the SMTP relay. Bicep cannot create Entra apps: create it first (docs/deploy.md). Empty: no SMTP username resource or role is created.')
param smtpEntraApplicationId string = ''

@description('Object id of that app\'s service principal; it gets the Communication and Email Service Owner role on the ACS resource, which SMTP authentication requires.')
param smtpServicePrincipalObjectId string = ''

@description('The SMTP username ACS maps to the Entra app (freeform, or an address on a linked domain).')
param smtpUsername string = '${namePrefix}-${environmentName}-smtp'

@description('A client secret of the Entra app: the SMTP password. Written to Key Vault (secret smtp-password) when set; left as it is there when empty.')
@secure()
param smtpPassword string = ''

// ---- secrets the app reads ------------------------------------------------------------------------------

@description('Key ids of the link-signing keys the app accepts; each is read from Key Vault secret token-key-<id>. Keep an old id listed until its links have expired (AbuseDesk:Tokens:LinkLifetime, 30 days).')
@minLength(1)
param tokenKeyIds array = [
  'k1'
]

@description('Key id that signs new links; must be one of tokenKeyIds.')
param activeTokenKeyId string = 'k1'

@description('Base64 of at least 32 random bytes: written to Key Vault as token-key-<activeTokenKeyId> when set (first deployment and rotation); left as it is there when empty.')
@secure()
param tokenSigningKey string = ''

@description('The ops key for /api/ops/* (x-functions-key). Written to Key Vault (secret ops-key) when set; left as it is there when empty.')
@secure()
param opsKey string = ''

// ---- the abuse mailbox (AbuseDesk:Mailbox; docs/mailbox.md) ----------------------------------------------

@description('IMAP host of the abuse mailbox (for example outlook.office365.com); empty: the desk reads no mailbox.')
param mailboxHost string = ''

@description('IMAPS port (implicit TLS).')
param mailboxPort int = 993

@description('The mailbox user (for Exchange Online the mailbox address).')
param mailboxUser string = ''

@description('The mailbox password, written to Key Vault (secret mailbox-password) when set; left as it is there when empty. Not needed with mailboxOAuth2Scope.')
@secure()
param mailboxPassword string = ''

@description('Sign in with XOAUTH2 and a token of the app\'s managed identity for this scope instead of a password (Exchange Online: https://outlook.office365.com/.default).')
param mailboxOAuth2Scope string = ''

@description('authserv-ids of the mailbox provider\'s own Authentication-Results headers, whose SPF verdicts are believed (for example protection.outlook.com).')
param mailboxTrustedAuthServIds array = []

@description('How often the mailbox is read (six-field NCRONTAB).')
param mailboxSchedule string = '0 */1 * * * *'

@description('Purge protection on the Key Vault (cannot be turned off again once on). Off only for throw-away environments.')
param keyVaultPurgeProtection bool = true

// ---- reports, Event Grid, public address ------------------------------------------------------------------

@description('Days raw reports (container reports) are kept before lifecycle management deletes them.')
@minValue(1)
@maxValue(3650)
param rawReportRetentionDays int = 180

@description('Base URL of customer links. Empty: https://<function app default host name>.')
param publicUrl string = ''

@description('Subscribe the blob trigger (IngestDroppedReport, container reports-inbox) to Event Grid. Needs the code published first: Event Grid validates the webhook and the blobs_extension key exists only then. Deploy once with false, publish, then deploy again with true.')
param blobEventSubscription bool = false

// ---- alerts -----------------------------------------------------------------------------------------------

@description('Address the ops alerts (poison messages, circuit breaker) are mailed to.')
param opsAlertEmail string

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
// Key Vault names: 3-24 letters, digits and hyphens, globally unique.
var keyVaultName = 'kv${take(toLower(replace('${namePrefix}${environmentName}', '-', '')), 12)}${take(resourceToken, 8)}'
var emailServiceName = 'acs-email-${baseName}'
// The communication service's name is its host name (<name>.communication.azure.com): globally unique.
var communicationServiceName = 'acs-${baseName}-${take(resourceToken, 6)}'
var systemTopicName = 'evgt-${baseName}-storage'
var actionGroupName = 'ag-${baseName}-ops'

// Containers and queues the app uses (it also creates them at start, so this is belt and braces; tables
// are created by the app). Trigger poison queues (<queue>-poison) are created by the Functions host.
var appBlobContainers = [
  rawReportsContainer
  inboxContainer
  refusedDropsContainer
]
// Raw reports (evidence) and the drop folder of the mail/feed pipeline (the blob trigger's path).
var rawReportsContainer = 'reports'
var inboxContainer = 'reports-inbox'
// Inbox drops of unknown or revoked reporters, kept for ops (GET /api/ops/queues/refused-drops); raw reports too.
var refusedDropsContainer = 'reports-inbox-refused'
// Where Event Grid puts blob-created events it could not deliver, so a dropped report is never lost silently.
var deadLetterContainer = 'reports-inbox-deadletter'
var appQueues = [
  'reports-parse'
  'email-outbox'
  'feedback-outbox'
  'suspensions'
  'platform-webhook'
  'reporter-feedback'
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
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  communicationAndEmailServiceOwner: '09976791-48a7-449e-bb21-39d1a415f350'
}

// The app identity's data roles on the storage account, all three needed: the Functions host
// (AzureWebJobsStorage: blob leases, queue and blob triggers, timer locks, deployment package), Durable
// Functions' Azure Storage provider, which runs on the same connection (task hub control and work-item
// queues, History and Instances tables, lease and large-message blobs), and the app itself (reports, queues,
// case tables).
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

resource deadLetterBlobContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainer
  properties: {
    publicAccess: 'None'
  }
}

// Raw reports are evidence for a limited time only: they carry third parties' personal data (mail
// headers, addresses), so they go after the retention period. Snapshots and versions are not used.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-raw-reports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              // "<container>/": the trailing slash keeps reports-inbox out of this rule.
              prefixMatch: [
                '${rawReportsContainer}/'
                '${refusedDropsContainer}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: rawReportRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-dead-lettered-events'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${deadLetterContainer}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: 30
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    appContainers
    deadLetterBlobContainer
  ]
}

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
// Key Vault (RBAC): SMTP credentials, link-signing keys, ops key. The app reads them as Key Vault
// references through the identity; the template writes a secret only when its secure parameter is set,
// so a redeploy without secrets keeps the ones in the vault.
// ---------------------------------------------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: allTags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Only true or absent is accepted: once on, purge protection stays on.
    enablePurgeProtection: keyVaultPurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

var secretNames = {
  smtpUsername: 'smtp-username'
  smtpPassword: 'smtp-password'
  opsKey: 'ops-key'
  mailboxPassword: 'mailbox-password'
}

resource smtpUsernameSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: secretNames.smtpUsername
  properties: {
    value: smtpUsername
    contentType: 'text/plain'
  }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(smtpPassword)) {
  parent: keyVault
  name: secretNames.smtpPassword
  properties: {
    value: smtpPassword
    contentType: 'text/plain'
  }
}

resource tokenKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(tokenSigningKey)) {
  parent: keyVault
  name: 'token-key-${activeTokenKeyId}'
  properties: {
    value: tokenSigningKey
    contentType: 'application/base64'
  }
}

resource mailboxPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(mailboxPassword)) {
  parent: keyVault
  name: secretNames.mailboxPassword
  properties: {
    value: mailboxPassword
    contentType: 'text/plain'
  }
}

resource opsKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(opsKey)) {
  parent: keyVault
  name: secretNames.opsKey
  properties: {
    value: opsKey
    contentType: 'text/plain'
  }
}

resource keyVaultSecretsUserRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------------
// Mail: Azure Communication Services Email on an Azure-managed domain, sent through the SMTP relay
// ---------------------------------------------------------------------------------------------------

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: allTags
  properties: {
    dataLocation: emailDataLocation
  }
}

resource emailDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  // Azure-managed domains have this fixed name; ACS makes up <guid>.azurecomm.net.
  name: 'AzureManagedDomain'
  location: 'global'
  tags: allTags
  properties: {
    domainManagement: 'AzureManaged'
    // Customers get links to their case; click tracking would rewrite them.
    userEngagementTracking: 'Disabled'
  }
}

resource emailSender 'Microsoft.Communication/emailServices/domains/senderUsernames@2023-04-01' = {
  parent: emailDomain
  name: emailSenderUsername
  properties: {
    username: emailSenderUsername
    displayName: emailSenderDisplayName
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: allTags
  properties: {
    dataLocation: emailDataLocation
    linkedDomains: [
      emailDomain.id
    ]
  }
}

// SMTP AUTH: ACS maps this username to the Entra app; the password is a client secret of that app.
resource smtpUsernameResource 'Microsoft.Communication/communicationServices/smtpUsernames@2025-09-01' = if (!empty(smtpEntraApplicationId)) {
  parent: communicationService
  name: smtpUsername
  properties: {
    username: smtpUsername
    entraApplicationId: smtpEntraApplicationId
    tenantId: tenant().tenantId
  }
}

resource smtpAppRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(smtpServicePrincipalObjectId)) {
  name: guid(communicationService.id, smtpServicePrincipalObjectId, roles.communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.communicationAndEmailServiceOwner
    )
    principalId: smtpServicePrincipalObjectId
    principalType: 'ServicePrincipal'
  }
}

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
// Function app: .NET isolated worker on Flex Consumption
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
      // The package is a framework-dependent publish for .NET 10 (scripts/publish): the platform brings
      // the runtime, and the Functions host starts the worker that worker.config.json names.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
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

// App settings, in groups. Flex Consumption takes the runtime from functionAppConfig:
// FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE must not be set.
// AzureWebJobsStorage is identity-based (no connection string: the account takes no shared keys). The host,
// the Storage queue/blob extensions and Durable Functions (durableTask.storageProvider.connectionName
// defaults to AzureWebJobsStorage) all read it, with the user-assigned identity's client id.
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
  AbuseDesk__PublicUrl: empty(publicUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicUrl
}
// Key Vault references are versionless, so the platform picks up a rotated secret (vaultUri ends in '/').
var secretUriBase = '${keyVault.properties.vaultUri}secrets/'
// AbuseDesk:Smtp:* (SmtpOptions). The relay only accepts MAIL FROM addresses of a linked domain's senders.
var mailAppSettings = {
  AbuseDesk__Smtp__Host: smtpHost
  AbuseDesk__Smtp__Port: string(smtpPort)
  AbuseDesk__Smtp__StartTls: 'true'
  AbuseDesk__Smtp__UserName: '@Microsoft.KeyVault(SecretUri=${secretUriBase}${secretNames.smtpUsername})'
  AbuseDesk__Smtp__Password: '@Microsoft.KeyVault(SecretUri=${secretUriBase}${secretNames.smtpPassword})'
  AbuseDesk__Smtp__From: '${emailSenderDisplayName} <${emailSenderUsername}@${emailDomain.properties.mailFromSenderDomain}>'
  AbuseDesk__Smtp__ReplyTo: abuseMailbox
}
// AbuseDesk:Tokens:* and AbuseDesk:Ops:Key: every key id listed is accepted, the active one signs.
var secretAppSettings = union(
  {
    AbuseDesk__Tokens__ActiveKeyId: activeTokenKeyId
    AbuseDesk__Ops__Key: '@Microsoft.KeyVault(SecretUri=${secretUriBase}${secretNames.opsKey})'
  },
  toObject(
    tokenKeyIds,
    kid => 'AbuseDesk__Tokens__Keys__${kid}',
    kid => '@Microsoft.KeyVault(SecretUri=${secretUriBase}token-key-${kid})'
  )
)
// AbuseDesk:Mailbox:* (MailboxOptions): the password is a Key Vault reference, or the identity signs in (XOAUTH2).
// The timer's schedule is always set: the host refuses a %setting% that does not resolve.
var mailboxAppSettings = union(
  {
    AbuseDeskMailboxSchedule: mailboxSchedule
  },
  empty(mailboxHost)
    ? {}
    : union(
        {
          AbuseDesk__Mailbox__Host: mailboxHost
          AbuseDesk__Mailbox__Port: string(mailboxPort)
          AbuseDesk__Mailbox__UserName: mailboxUser
        },
        empty(mailboxOAuth2Scope)
          ? {
              AbuseDesk__Mailbox__Password: '@Microsoft.KeyVault(SecretUri=${secretUriBase}${secretNames.mailboxPassword})'
            }
          : { AbuseDesk__Mailbox__OAuth2Scope: mailboxOAuth2Scope },
        toObject(
          range(0, length(mailboxTrustedAuthServIds)),
          i => 'AbuseDesk__Mailbox__TrustedAuthServIds__${i}',
          i => string(mailboxTrustedAuthServIds[i])
        )
      )
)
var appSettings = union(
  hostStorageAppSettings,
  monitoringAppSettings,
  abuseDeskAppSettings,
  mailAppSettings,
  secretAppSettings,
  mailboxAppSettings
)

resource functionAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
  // The host starts talking to storage, Application Insights and Key Vault as soon as it has these
  // settings; a reference to a secret that is not there yet stays unresolved until the next restart.
  dependsOn: [
    appStorageRoleAssignments
    appInsightsPublisherRole
    keyVaultSecretsUserRole
    smtpUsernameSecret
    smtpPasswordSecret
    tokenKeySecret
    opsKeySecret
  ]
}

// ---------------------------------------------------------------------------------------------------
// Event Grid: blob-created events of reports-inbox drive the blob trigger (Flex Consumption supports
// only the Event Grid source for blob triggers)
// ---------------------------------------------------------------------------------------------------

resource storageEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: allTags
  // For dead-lettering into the storage account without keys.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource deadLetterWriterRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterBlobContainer.id, storageEvents.id, roles.storageBlobDataContributor)
  scope: deadLetterBlobContainer
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageBlobDataContributor
    )
    principalId: storageEvents.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The host's blob extension webhook; its system key exists once the host has loaded a function with an
// Event Grid blob trigger, hence the second deployment (blobEventSubscription) after the code is published.
var blobWebhookCode = blobEventSubscription
  ? listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension
  : ''

resource inboxSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (blobEventSubscription) {
  parent: storageEvents
  name: 'ingest-dropped-report'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.IngestDroppedReport&code=${blobWebhookCode}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${inboxContainer}/'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainer
        }
      }
    }
  }
  dependsOn: [
    deadLetterWriterRole
    functionAppSettings
  ]
}

// ---------------------------------------------------------------------------------------------------
// Alerts: poison messages and the circuit breaker, mailed to ops
// ---------------------------------------------------------------------------------------------------

resource opsActionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: allTags
  properties: {
    groupShortName: 'abusedesk'
    enabled: true
    emailReceivers: [
      {
        name: 'ops'
        emailAddress: opsAlertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Storage queue metrics are per account, not per queue, so poison queues are watched through the logs:
// the Functions host logs the move to <queue>-poison, and SetPlatformCallAside logs the calls it sets aside.
var poisonQuery = loadTextContent('alerts/poison-messages.kql')
// The app logs "Circuit breaker tripped by case {CaseId}: {Reason}" at Warning when automated
// suspensions stop, and reports the state as the gauge abusedesk.breaker.open.
var breakerQuery = loadTextContent('alerts/circuit-breaker.kql')
// ReadAbuseMailbox logs an error when the mailbox stops answering, and hourly while it stays down.
var mailboxQuery = loadTextContent('alerts/mailbox.kql')

resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${baseName}-poison-messages'
  location: location
  tags: allTags
  properties: {
    displayName: 'AbuseDesk: messages moved to a poison queue'
    description: 'A queue message failed maxDequeueCount times and was moved to <queue>-poison. Look at the -poison queues in the storage account and the exceptions of that function.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: poisonQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        opsActionGroup.id
      ]
    }
  }
}

resource breakerAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${baseName}-circuit-breaker'
  location: location
  tags: allTags
  properties: {
    displayName: 'AbuseDesk: circuit breaker tripped'
    description: 'Automated suspensions spiked and are paused; cases wait for ops. Check the cases that tripped it before resetting the breaker.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: breakerQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        opsActionGroup.id
      ]
    }
  }
}

resource mailboxAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = if (!empty(mailboxHost)) {
  name: 'alert-${baseName}-mailbox'
  location: location
  tags: allTags
  properties: {
    displayName: 'AbuseDesk: the abuse mailbox cannot be read'
    description: 'ReadAbuseMailbox cannot connect, sign in or read the mailbox; complaints mailed to the abuse address wait. GET /api/ops/queues shows mailbox.lastError.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: mailboxQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        opsActionGroup.id
      ]
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Workbook: the abuse desk at a glance, over the app's metrics and logs in Application Insights
// ---------------------------------------------------------------------------------------------------

resource deskWorkbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; this one is stable per resource group and environment.
  name: guid(resourceGroup().id, baseName, 'abuse-desk-workbook')
  location: location
  tags: allTags
  kind: 'shared'
  properties: {
    displayName: 'AbuseDesk (${environmentName})'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: replace(
      loadTextContent('workbooks/abuse-desk.workbook.json'),
      '__APP_INSIGHTS_ID__',
      appInsights.id
    )
  }
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
output keyVaultName string = keyVault.name
output communicationServiceName string = communicationService.name
output emailSenderAddress string = '${emailSenderUsername}@${emailDomain.properties.mailFromSenderDomain}'
output eventGridSystemTopicName string = storageEvents.name
output workbookId string = deskWorkbook.id
