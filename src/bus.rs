//! The event bus: domain writes publish, SSE streams and GraphQL subscriptions read.
//!
//! Handlers only see [`Bus`], a trait object, so a NATS-backed bus for several replicas can
//! replace the in-process one without touching them. The in-process bus is a tokio broadcast
//! channel: a slow subscriber that falls more than `CAPACITY` messages behind skips ahead
//! instead of slowing publishers.

use crate::domain::events::Event;
use crate::domain::runs::RunUpdate;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What travels on the bus.
#[derive(Clone, Debug)]
pub enum Message {
    /// A new or changed event, for its owner.
    Event(Arc<Event>),
    /// A performance profile of the user was saved or deleted, or a result was stored
    /// (for the profile it ran, if any): performance pages shown to the user are stale.
    PerfChanged {
        user_id: String,
        profile_id: Option<String>,
    },
    /// Where a running load test stands.
    PerfProgress(Arc<RunUpdate>),
}

pub trait Bus: Send + Sync + 'static {
    fn publish(&self, msg: Message);
    /// Every message published from now on.
    fn subscribe(&self) -> BoxStream<'static, Message>;
}

pub struct InProcessBus {
    tx: broadcast::Sender<Message>,
}

const CAPACITY: usize = 1024;

impl InProcessBus {
    pub fn new() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new()
    }
}

impl Bus for InProcessBus {
    fn publish(&self, msg: Message) {
        // No subscriber is not an error.
        let _ = self.tx.send(msg);
    }

    fn subscribe(&self) -> BoxStream<'static, Message> {
        tokio_stream::wrappers::BroadcastStream::new(self.tx.subscribe())
            .filter_map(|m| async move { m.ok() })
            .boxed()
    }
}

/// The events of one user, as they are published.
pub fn user_events(bus: &dyn Bus, user_id: String) -> BoxStream<'static, Arc<Event>> {
    bus.subscribe()
        .filter_map(move |m| {
            let mine = match m {
                Message::Event(e) if e.user_id == user_id => Some(e),
                _ => None,
            };
            async move { mine }
        })
        .boxed()
}
