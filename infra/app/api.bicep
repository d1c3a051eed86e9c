// The Function App: Flex Consumption, Node 22, user-assigned identity, deployment package pulled from
// blob storage with that identity. appSettings below is the whole configuration of the app; it holds
// endpoints and names only (test/infra.test.ts refuses keys, secrets and connection strings here).
param name string
param location string
param tags object
param planId string
param identityId string
param identityClientId string
param maximumInstanceCount int
param storageBlobEndpoint string
param storageQueueEndpoint string
param deploymentContainerName string
param documentsContainerName string
param cosmosEndpoint string
param cosmosDatabaseName string
param emailEndpoint string
param emailSenderAddress string
param applicationInsightsName string
param authIssuer string
param authAudience string
param authJwksUri string
param verificationLinkBase string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var appSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AZURE_CLIENT_ID: identityClientId
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabaseName
  DOCUMENTS_CONTAINER: documentsContainerName
  EMAIL_ENDPOINT: emailEndpoint
  EMAIL_SENDER_ADDRESS: emailSenderAddress
  AUTH_ISSUER: authIssuer
  AUTH_AUDIENCE: authAudience
  AUTH_JWKS_URI: authJwksUri
  VERIFICATION_LINK_BASE: verificationLinkBase
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The worker's V8 heap capped to fit the instance (see nodeWorkerArguments in
  // shared/local-host/host-settings.ts: npm start runs with the same arguments).
  languageWorkers__node__arguments: '--max-old-space-size=512 --max-semi-space-size=4 --initial-old-space-size=56'
}

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: 'function-app'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    serverFarmResourceId: planId
    managedIdentities: { systemAssigned: false, userAssignedResourceIds: [identityId] }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: maximumInstanceCount }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: { alwaysOn: false, minTlsVersion: '1.2', ftpsState: 'Disabled' }
    httpsOnly: true
    appSettingsKeyValuePairs: appSettings
  }
}

output name string = site.outputs.name
