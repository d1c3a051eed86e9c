// The partner portal functions on Azure: `azd up` provisions this and deploys dist/ (see azure.yaml).
// Keyless: every service is reached with the app's user-assigned managed identity; no key or
// connection string is ever put in app settings (test/infra.test.ts checks this file set against
// the code's configuration schema, queues and containers).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags derive from it.')
param environmentName string

@minLength(1)
@description('Region of every regional resource. Flex Consumption must be available there.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Cosmos DB capacity: Serverless (default, pay per request) or Autoscale (provisioned, shared by the containers).')
@allowed(['Serverless', 'Autoscale'])
param cosmosCapacityMode string = 'Serverless'

@description('Autoscale maximum RU/s of the database when cosmosCapacityMode is Autoscale.')
@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 4000

@description('Entra ID issuer of the bearer tokens the API accepts, e.g. https://login.microsoftonline.com/{tenant}/v2.0')
param authIssuer string

@description('Audience (the API app registration\'s application id URI or client id).')
param authAudience string

@description('JWKS of the issuer, e.g. https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys')
param authJwksUri string

@description('Portal page that receives the verification link\'s token.')
param verificationLinkBase string = 'https://partner.portal.example/verify-email'

@description('Where Communication Services keeps email data.')
param emailDataLocation string = 'United States'

@description('Largest number of instances the Function App scales out to.')
param maximumInstanceCount int = 100

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    deploymentContainerName: deploymentContainerName
  }
}

module cosmos './app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
  }
}

module email './app/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    tags: tags
    resourceToken: resourceToken
    dataLocation: emailDataLocation
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    cosmosAccountName: cosmos.outputs.accountName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: email.outputs.communicationServiceName
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: 'plan-${resourceToken}'
    location: location
    tags: tags
    sku: { name: 'FC1', tier: 'FlexConsumption' }
    reserved: true
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  dependsOn: [rbac]
  params: {
    name: functionAppName
    location: location
    tags: tags
    planId: plan.outputs.resourceId
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    maximumInstanceCount: maximumInstanceCount
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    deploymentContainerName: deploymentContainerName
    documentsContainerName: storage.outputs.documentsContainerName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    emailEndpoint: email.outputs.endpoint
    emailSenderAddress: email.outputs.senderAddress
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    authIssuer: authIssuer
    authAudience: authAudience
    authJwksUri: authJwksUri
    verificationLinkBase: verificationLinkBase
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
