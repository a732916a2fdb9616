// Wire URNs from RFC 7643/7644 and the one legacy Microsoft URN Entra still sends.

export const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const URN_ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const URN_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
export const URN_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const URN_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const URN_BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
export const URN_BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse'
export const URN_SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
export const URN_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema'
export const URN_RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType'
export const URN_SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'

/** Entra adds this pre-2018 group schema URI to every group create; it is accepted and dropped. */
export const URN_LEGACY_MS_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'
