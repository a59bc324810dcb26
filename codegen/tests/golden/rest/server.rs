#[derive(::poem_openapi::Tags)]
pub enum ApiTags {
    /// Things in a list.
    #[oai(rename = "Items")]
    Items,
}
#[derive(::poem_openapi::Object, Clone, Debug, PartialEq)]
#[oai(rename = "Error")]
pub struct Error {
    #[oai(rename = "code")]
    pub code: ::std::string::String,
}
/// A stored item.
#[derive(::poem_openapi::Object, Clone, Debug, PartialEq)]
#[oai(rename = "Item")]
pub struct Item {
    #[oai(rename = "created", skip_serializing_if_is_none)]
    pub created: ::std::option::Option<::chrono::DateTime<::chrono::Utc>>,
    #[oai(rename = "extra", skip_serializing_if_is_none)]
    pub extra: ::std::option::Option<
        ::std::collections::BTreeMap<::std::string::String, ::serde_json::Value>,
    >,
    #[oai(rename = "id")]
    pub id: ::uuid::Uuid,
    #[oai(rename = "kind")]
    pub kind: Kind,
    #[oai(rename = "labels", skip_serializing_if_is_none)]
    pub labels: ::std::option::Option<
        ::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
    >,
    #[oai(rename = "name", validator(max_length = 64usize))]
    pub name: ::std::string::String,
    #[oai(rename = "tags", skip_serializing_if_is_none, validator(max_items = 8usize))]
    pub tags: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
}
#[derive(::poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[oai(rename = "Kind")]
pub enum Kind {
    #[oai(rename = "small")]
    Small,
    #[oai(rename = "big-one")]
    BigOne,
}
impl Kind {
    /// The value as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::BigOne => "big-one",
        }
    }
}
#[derive(::poem_openapi::Object, Clone, Debug, PartialEq)]
#[oai(rename = "NewItem")]
pub struct NewItem {
    #[oai(
        rename = "count",
        skip_serializing_if_is_none,
        validator(minimum(value = "0"))
    )]
    pub count: ::std::option::Option<i32>,
    #[oai(rename = "kind", skip_serializing_if_is_none)]
    pub kind: ::std::option::Option<Kind>,
    #[oai(rename = "name", validator(min_length = 1usize, max_length = 64usize))]
    pub name: ::std::string::String,
    #[oai(
        rename = "weight",
        skip_serializing_if_is_none,
        validator(minimum(value = "0.5"), maximum(value = "100"))
    )]
    pub weight: ::std::option::Option<f64>,
}
///Responses of `listItems`, one variant per documented status.
#[derive(::poem_openapi::ApiResponse)]
pub enum ListItemsResponse {
    ///The items.
    #[oai(status = 200u16)]
    Ok(::poem_openapi::payload::Json<::std::vec::Vec<Item>>),
    ///No credentials.
    #[oai(status = 401u16)]
    Unauthorized(::poem_openapi::payload::Json<Error>),
}
fn default_list_items_limit() -> i64 {
    10
}
///Responses of `createItem`, one variant per documented status.
#[derive(::poem_openapi::ApiResponse)]
pub enum CreateItemResponse {
    ///Created.
    #[oai(status = 201u16)]
    Created(
        ::poem_openapi::payload::Json<Item>,
        #[oai(header = "Location")]
        ::std::string::String,
    ),
    ///Invalid.
    #[oai(status = 400u16)]
    BadRequest(::poem_openapi::payload::Json<Error>),
}
/// Request body of `createItem`: JSON or YAML.
#[derive(::poem_openapi::ApiRequest)]
pub enum CreateItemBody {
    Json(::poem_openapi::payload::Json<NewItem>),
    Yaml(::poem_openapi::payload::Yaml<NewItem>),
}
impl CreateItemBody {
    pub fn into_inner(self) -> NewItem {
        match self {
            Self::Json(b) => b.0,
            Self::Yaml(b) => b.0,
        }
    }
}
///Responses of `deleteItem`, one variant per documented status.
#[derive(::poem_openapi::ApiResponse)]
pub enum DeleteItemResponse {
    ///Deleted.
    #[oai(status = 204u16)]
    NoContent,
    ///Missing.
    #[oai(status = 404u16)]
    NotFound(::poem_openapi::payload::Json<Error>),
}
///Responses of `watchItems`, one variant per documented status.
#[derive(::poem_openapi::ApiResponse)]
pub enum WatchItemsResponse {
    ///Items as they are created.
    #[oai(status = 200u16)]
    Ok(
        ::poem_openapi::payload::EventStream<::futures::stream::BoxStream<'static, Item>>,
    ),
}
///Handlers of the `Items` tag: one method per operation.
pub trait ItemsApi: Send + Sync + 'static {
    /// `GET /api/items` — List items
    fn list_items(
        &self,
        auth: crate::Auth,
        limit: i64,
        kind: ::std::option::Option<Kind>,
    ) -> impl ::std::future::Future<
        Output = ::std::result::Result<ListItemsResponse, crate::AppError>,
    > + Send;
    /// `POST /api/items` — Create an item
    fn create_item(
        &self,
        auth: crate::Auth,
        body: NewItem,
    ) -> impl ::std::future::Future<
        Output = ::std::result::Result<CreateItemResponse, crate::AppError>,
    > + Send;
    /// `DELETE /api/items/{id}` — Delete an item
    fn delete_item(
        &self,
        auth: crate::Auth,
        id: ::uuid::Uuid,
    ) -> impl ::std::future::Future<
        Output = ::std::result::Result<DeleteItemResponse, crate::AppError>,
    > + Send;
    /// `GET /api/ping` — Stream of new items
    fn watch_items(
        &self,
    ) -> impl ::std::future::Future<
        Output = ::std::result::Result<WatchItemsResponse, crate::AppError>,
    > + Send;
}
/// Routing, extraction and validation for this tag; delegates to the handlers.
pub struct ItemsRoutes<H>(pub ::std::sync::Arc<H>);
#[::poem_openapi::OpenApi]
impl<H: ItemsApi> ItemsRoutes<H> {
    /// List items
    #[oai(
        path = "/api/items",
        method = "get",
        operation_id = "listItems",
        tag = "ApiTags::Items"
    )]
    async fn list_items(
        &self,
        auth: crate::Auth,
        #[oai(
            name = "limit",
            default = "default_list_items_limit",
            validator(minimum(value = "1"), maximum(value = "50"))
        )]
        limit: ::poem_openapi::param::Query<i64>,
        #[oai(name = "kind")]
        kind: ::poem_openapi::param::Query<::std::option::Option<Kind>>,
    ) -> ::std::result::Result<ListItemsResponse, crate::AppError> {
        self.0.list_items(auth, limit.0, kind.0).await
    }
    /// Create an item
    ///
    /// Stores a new item.
    #[oai(
        path = "/api/items",
        method = "post",
        operation_id = "createItem",
        tag = "ApiTags::Items"
    )]
    async fn create_item(
        &self,
        auth: crate::Auth,
        body: CreateItemBody,
    ) -> ::std::result::Result<CreateItemResponse, crate::AppError> {
        self.0.create_item(auth, body.into_inner()).await
    }
    /// Delete an item
    #[oai(
        path = "/api/items/:id",
        method = "delete",
        operation_id = "deleteItem",
        tag = "ApiTags::Items"
    )]
    async fn delete_item(
        &self,
        auth: crate::Auth,
        #[oai(name = "id")]
        id: ::poem_openapi::param::Path<::uuid::Uuid>,
    ) -> ::std::result::Result<DeleteItemResponse, crate::AppError> {
        self.0.delete_item(auth, id.0).await
    }
    /// Stream of new items
    #[oai(
        path = "/api/ping",
        method = "get",
        operation_id = "watchItems",
        tag = "ApiTags::Items"
    )]
    async fn watch_items(
        &self,
    ) -> ::std::result::Result<WatchItemsResponse, crate::AppError> {
        self.0.watch_items().await
    }
}
/// Every tag's routes, ready for `poem_openapi::OpenApiService::new`.
pub fn routes<H: ItemsApi>(handlers: ::std::sync::Arc<H>) -> (ItemsRoutes<H>,) {
    (ItemsRoutes(handlers.clone()),)
}
/// One row per operation of the contract.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub operation_id: &'static str,
    /// `security: []` in the contract: served without credentials.
    pub public: bool,
    pub tag: &'static str,
}
/// Every operation of the contract, in document order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "GET",
        path: "/api/items",
        operation_id: "listItems",
        public: false,
        tag: "Items",
    },
    Operation {
        method: "POST",
        path: "/api/items",
        operation_id: "createItem",
        public: false,
        tag: "Items",
    },
    Operation {
        method: "DELETE",
        path: "/api/items/{id}",
        operation_id: "deleteItem",
        public: false,
        tag: "Items",
    },
    Operation {
        method: "GET",
        path: "/api/ping",
        operation_id: "watchItems",
        public: true,
        tag: "Items",
    },
];
/// The stable error codes of the contract (`x-error-codes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `sample-1` (400): Bad input.
    InvalidRequest,
    /// `sample-2` (404): No such item.
    NotFound,
}
impl ErrorCode {
    /// Every code, in contract order.
    pub const ALL: &'static [ErrorCode] = &[Self::InvalidRequest, Self::NotFound];
    /// The wire code, `meshery-server-NNNN`.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "sample-1",
            Self::NotFound => "sample-2",
        }
    }
    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400u16,
            Self::NotFound => 404u16,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Self::InvalidRequest => "Invalid request",
            Self::NotFound => "Not found",
        }
    }
    pub fn remediation(self) -> &'static str {
        match self {
            Self::InvalidRequest => "Fix it.",
            Self::NotFound => "Look elsewhere.",
        }
    }
}
