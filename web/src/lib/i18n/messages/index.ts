// Every message area, one file each. A new area is one import and one line here; its keys
// are then used as t('area.key').
import common from './common';
import discover from './discover';
import requests from './requests';
import title from './title';
import login from './login';
import feeds from './feeds';
import push from './push';
import errors from './errors';

export const areas = { common, discover, requests, title, login, feeds, push, errors };
