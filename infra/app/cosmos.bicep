// Cosmos DB for NoSQL: serverless by default, autoscale as a parameter. Local (key) auth is disabled;
// the app's identity gets the built-in Data Contributor role (rbac.bicep).
param location string
param tags object
param resourceToken string
@allowed(['Serverless', 'Autoscale'])
param capacityMode string
param autoscaleMaxThroughput int

var databaseName = 'partner-portal'

// Every container of shared/data/containers.ts, each partitioned by /partnerId. Indexing: everything
// the queries filter or sort on stays indexed; free text that is only ever read back (lead messages,
// profile texts, email bodies) is excluded, which makes those writes cheaper.
var containers = [
  { name: 'partners', partitionKey: '/partnerId', defaultTtl: null, excludedPaths: ['/"_etag"/?'] }
  { name: 'agreements', partitionKey: '/partnerId', defaultTtl: null, excludedPaths: ['/"_etag"/?', '/primaryContact/*'] }
  { name: 'enrollments', partitionKey: '/partnerId', defaultTtl: null, excludedPaths: ['/"_etag"/?', '/actionsNeeded/*'] }
  { name: 'profiles', partitionKey: '/partnerId', defaultTtl: null, excludedPaths: ['/"_etag"/?', '/content/*', '/message/?', '/contact/*'] }
  { name: 'operations', partitionKey: '/partnerId', defaultTtl: null, excludedPaths: ['/"_etag"/?', '/partnerIds/*'] }
  { name: 'lookups', partitionKey: '/partnerId', defaultTtl: -1, excludedPaths: ['/*'] }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: 'cosmos-${resourceToken}'
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [{ locationName: location, failoverPriority: 0 }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
    capabilities: capacityMode == 'Serverless' ? [{ name: 'EnableServerless' }] : []
    backupPolicy: { type: 'Continuous', continuousModeProperties: { tier: 'Continuous7Days' } }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: capacityMode == 'Autoscale' ? { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } } : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for c in containers: {
    parent: database
    name: c.name
    properties: {
      resource: union(
        {
          id: c.name
          partitionKey: { paths: [c.partitionKey], kind: 'Hash', version: 2 }
          indexingPolicy: {
            indexingMode: 'consistent'
            automatic: true
            includedPaths: c.name == 'lookups' ? [] : [{ path: '/*' }]
            excludedPaths: map(c.excludedPaths, p => { path: p })
          }
        },
        c.defaultTtl == null ? {} : { defaultTtl: c.defaultTtl }
      )
    }
  }
]

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
