//! Open files: opening one (and sharing the cache with a new client), closing, forgetting a
//! client that ended, and the size of an open file.

use super::{FileServer, Open, OpenId, Opened};
use crate::env::{FsEnv, FsEvent};
use crate::error::FsError;
use crate::libpager::{Callbacks, FileId};
use physmem::{Reply, Request, TaskId};

impl FileServer {
    /// Open `path` for `client` (read-write if `write`), giving it a share of the cache.
    ///
    /// # Errors
    /// `NotFound`, or physmem's refusal to share the container.
    pub fn open(
        &mut self,
        env: &mut dyn FsEnv,
        client: TaskId,
        path: &str,
        write: bool,
    ) -> Result<Opened, FsError> {
        let (index, entry) = self
            .fs
            .dir
            .lookup(path)
            .ok_or_else(|| FsError::NotFound(path.to_string()))?;
        let size = entry.size;
        let container = match self.shares.get(&client) {
            Some(&h) => h,
            None => {
                let share = Request::ContainerShare {
                    container: self.container,
                    with: client,
                };
                let h = match env.physmem(self.task, share) {
                    Ok(Reply::Handle(h)) => h,
                    Err(e) => return Err(FsError::physmem("share the cache", e)),
                    Ok(r) => return Err(FsError::NoFrame(format!("share answered {r:?}"))),
                };
                self.shares.insert(client, h);
                h
            }
        };
        let open = OpenId(self.next_open);
        self.next_open += 1;
        self.opens.insert(
            open,
            Open {
                client,
                file: FileId(index),
                write,
            },
        );
        env.event(FsEvent::Open {
            client,
            path: path.into(),
            write,
        });
        Ok(Opened {
            open,
            size,
            container,
        })
    }

    pub(super) fn open_of(&self, client: TaskId, open: OpenId) -> Result<Open, FsError> {
        self.opens
            .get(&open)
            .filter(|o| o.client == client)
            .copied()
            .ok_or(FsError::BadOpen(open.0))
    }

    /// Close an open file. Its dirty pages stay cached and reach the disk later: nothing is
    /// lost.
    ///
    /// # Errors
    /// `BadOpen` if `client` holds no such open file.
    pub fn close(&mut self, client: TaskId, open: OpenId) -> Result<(), FsError> {
        self.open_of(client, open)?;
        self.opens.remove(&open);
        Ok(())
    }

    /// A client task ended: forget its opens and its share of the cache (physmem drops the
    /// task's handles itself). Its dirty pages stay cached: nothing is lost.
    pub fn forget(&mut self, client: TaskId) {
        self.opens.retain(|_, o| o.client != client);
        self.shares.remove(&client);
    }

    /// How many files are open, by all clients.
    pub fn opens(&self) -> usize {
        self.opens.len()
    }

    /// The size of an open file.
    ///
    /// # Errors
    /// `BadOpen`.
    pub fn size(&self, client: TaskId, open: OpenId) -> Result<u32, FsError> {
        let o = self.open_of(client, open)?;
        self.fs.report_extent(o.file)
    }
}
