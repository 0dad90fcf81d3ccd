// The entry of dist/widget/comerix-chat.js: defines <comerix-chat> once, even if a page loads the script twice.
import { ComerixChat } from './ComerixChat.js';

if (!customElements.get('comerix-chat')) customElements.define('comerix-chat', ComerixChat);

export { ComerixChat };
