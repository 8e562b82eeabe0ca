// Rectify on Azure: an App Service plan that can scale out, a Linux Web App on Node 20 running
// Rectify in production mode with its health check on /healthz, a user-assigned managed
// identity for the Web App, the Azure Bot registration on Teams, a Key Vault holding the Graph
// certificate and the bot's client secret that only the Web App's identity may read, and
// Application Insights for the logs and requests. Deployed by `arm/deploy` in m365agents.yml.
//
// The Azure Bot is registered for the bot's own Entra app (botAadApp/create in
// m365agents.yml): Rectify's bot signs in with BOT_ID and BOT_PASSWORD, and the password comes
// from the Key Vault through the managed identity, never from an app setting in clear.

@maxLength(20)
@minLength(4)
@description('Prefix of every resource name')
param resourceBaseName string

@description('App Service plan SKU: B1 for trying out; P0v3 or above for production (scales out)')
param webAppSku string = 'P0v3'

@minValue(1)
@maxValue(10)
@description('Instances of the Web App; several instances share the SharePoint store')
param instanceCount int = 1

@description('The Entra app (client) id of the Rectify API (AAD_APP_CLIENT_ID)')
param aadAppClientId string

@description('The tenant of the Rectify API (AAD_APP_TENANT_ID)')
param aadAppTenantId string

@description('The Entra authority host')
param aadAppOauthAuthorityHost string = 'https://login.microsoftonline.com'

@description('The SharePoint site that holds the Rectify lists (SHAREPOINT_SITE_ID)')
param sharePointSiteId string

@description('The Teams app id (TEAMS_APP_ID), for deep links and activity feed notifications')
param teamsAppId string

@maxLength(42)
@description('Display name of the Azure Bot')
param botDisplayName string

@description('Name of the certificate in the Key Vault that signs Graph client assertions (imported as PEM)')
param graphCertificateName string = 'rectify-graph'

@description('The bot\'s Entra app (client) id (BOT_ID, from botAadApp/create)')
param botAadAppClientId string

@secure()
@description('The bot\'s client secret (SECRET_BOT_PASSWORD): stored in the Key Vault only')
param botAadAppClientSecret string

param location string = resourceGroup().location

var serverfarmsName = '${resourceBaseName}-plan'
var webAppName = '${resourceBaseName}-web'
var identityName = '${resourceBaseName}-identity'
var vaultName = take('${resourceBaseName}kv${uniqueString(resourceGroup().id)}', 24)
var insightsName = '${resourceBaseName}-insights'
var workspaceName = '${resourceBaseName}-logs'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: workspaceName
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: insightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'Node.JS'
    WorkspaceResourceId: workspace.id
  }
}

resource serverfarm 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: serverfarmsName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

// Key Vault Secrets User: reads the certificate's private key (a certificate's key is read as
// a secret). Only the Web App's identity gets it.
var keyVaultSecretsUser = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '4633458b-17de-408a-b874-0445c86b69e6'
)
// Key Vault Certificate User: reads the certificate itself (its thumbprint and x5c).
var keyVaultCertificateUser = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'
)

resource webAppReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: keyVaultSecretsUser
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource webAppReadsCertificates 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, keyVaultCertificateUser)
  properties: {
    roleDefinitionId: keyVaultCertificateUser
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource botSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'bot-password'
  properties: {
    value: botAadAppClientSecret
    contentType: 'text/plain'
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      healthCheckPath: '/healthz'
      // The certificate comes from the Key Vault as PEM text; Rectify reads it from a file.
      appCommandLine: 'sh -c \'umask 077 && printf "%s" "$GRAPH_CERTIFICATE_PEM" > /tmp/graph.pem && exec node dist/src/main.js\''
      appSettings: [
        { name: 'RECTIFY_MODE', value: 'production' }
        { name: 'NODE_ENV', value: 'production' }
        { name: 'HOST', value: '0.0.0.0' }
        { name: 'PORT', value: '8080' }
        { name: 'WEBSITES_PORT', value: '8080' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'AAD_APP_CLIENT_ID', value: aadAppClientId }
        { name: 'AAD_APP_TENANT_ID', value: aadAppTenantId }
        { name: 'AAD_APP_OAUTH_AUTHORITY_HOST', value: aadAppOauthAuthorityHost }
        { name: 'BOT_ID', value: botAadAppClientId }
        { name: 'BOT_TENANT_ID', value: aadAppTenantId }
        {
          name: 'BOT_PASSWORD'
          value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${botSecret.name})'
        }
        { name: 'STORE', value: 'sharepoint' }
        { name: 'SHAREPOINT_SITE_ID', value: sharePointSiteId }
        { name: 'TEAMS_APP_ID', value: teamsAppId }
        { name: 'GRAPH_CLIENT_ID', value: aadAppClientId }
        { name: 'GRAPH_TENANT_ID', value: aadAppTenantId }
        { name: 'GRAPH_CERTIFICATE_PATH', value: '/tmp/graph.pem' }
        {
          name: 'GRAPH_CERTIFICATE_PEM'
          value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${graphCertificateName})'
        }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
      ]
    }
  }
  dependsOn: [webAppReadsSecrets, webAppReadsCertificates]
}

// The Azure Bot on Teams, for the bot's Entra app in this tenant.
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    msaAppTenantId: aadAppTenantId
    msaAppType: 'SingleTenant'
  }
}

resource botTeams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Read back by the toolkit into env/.env.<name> (names upper-cased).
output IDENTITY_CLIENT_ID string = identity.properties.clientId
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output TAB_DOMAIN string = webApp.properties.defaultHostName
output TAB_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output KEY_VAULT_NAME string = vault.name
output APPLICATIONINSIGHTS_NAME string = insights.name
