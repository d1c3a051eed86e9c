// Storage for the host (AzureWebJobsStorage: timers, leases), the queues and the verification
// documents. Shared-key access is off, so only Entra identities with data roles get in.
param location string
param tags object
param resourceToken string
param deploymentContainerName string

// Every queue of shared/use-cases/queues.ts (upstream and internal); each gets its -poison twin below.
var queueNames = [
  'verification-decisions'
  'incentive-eligibility'
  'enrollment-validation'
  'customer-agreement-events'
  'incentive-programs'
  'email-outbox'
  'rollover-pages'
  'direct-bill-decisions'
  'direct-bill-assessment-pages'
  'rollover-summaries'
]
var documentsContainerName = 'verification-documents'

module account 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage-account'
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
    blobServices: {
      containers: [
        { name: deploymentContainerName, publicAccess: 'None' }
        { name: documentsContainerName, publicAccess: 'None' }
      ]
    }
    queueServices: {
      queues: concat(map(queueNames, q => { name: q }), map(queueNames, q => { name: '${q}-poison' }))
    }
  }
}

output name string = account.outputs.name
output blobEndpoint string = 'https://${account.outputs.name}.blob.${environment().suffixes.storage}/'
output queueEndpoint string = 'https://${account.outputs.name}.queue.${environment().suffixes.storage}/'
output documentsContainerName string = documentsContainerName
