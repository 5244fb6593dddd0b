/** The download header lives with the storage drivers, which put it into signed links too. */
export { contentDisposition } from '../storage/content-disposition.js';
